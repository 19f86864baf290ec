extension Migrations {
    /// Push-bombing defences, sign-in logs and delivery trails: versions 60–79.
    static let defences: [Migration] = []
}
