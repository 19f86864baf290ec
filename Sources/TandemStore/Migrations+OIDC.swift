extension Migrations {
    /// OpenID Connect provider and CIBA: versions 40–59.
    static let oidc: [Migration] = []
}
