extension Migrations {
    /// Third-party authenticator apps (software OATH tokens): versions 196–199
    /// (docs/decisions/0031-any-authenticator-app.md). A method is pending, with an expiry, until
    /// its first code is right; `secret` is sealed with the server's secret key.
    static let softwareOath: [Migration] = [
        (196, [
            """
            CREATE TABLE software_oath_methods (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                secret TEXT NOT NULL,
                state TEXT NOT NULL,
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT,
                last_step BIGINT,
                last_used_at BIGINT
            )
            """,
            "CREATE INDEX software_oath_methods_user ON software_oath_methods(user_id, state)",
            "CREATE INDEX software_oath_methods_expiry ON software_oath_methods(expires_at)",
        ]),
    ]
}
