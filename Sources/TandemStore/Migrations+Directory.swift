extension Migrations {
    /// Directory (groups, roles) and the authentication-methods policy: versions 20–39.
    static let directory: [Migration] = []
}
