extension Migrations {
    /// Deployment (issue 15): versions 120–129. Indexes for housekeeping's purges, which select
    /// by expiry (`challenges`, `flows`, `sessions` had none; the logs are indexed by time
    /// already), so each batch reads only what it deletes.
    static let deployment: [Migration] = [
        (120, [
            "CREATE INDEX challenges_expiry ON challenges(expires_at, id)",
            "CREATE INDEX flows_expiry ON flows(expires_at, id)",
            "CREATE INDEX sessions_expiry ON sessions(expires_at, id)",
        ]),
    ]
}
