extension Migrations {
    /// Hardening of role boundaries, consent, revocation (issue 10, items 2, 3, 8, 13): versions 110–114.
    static let hardeningAdmin: [Migration] = [
        (110, [
            // Graph's signInSessionsValidFromDateTime: tokens issued to the user before it are refused.
            """
            CREATE TABLE user_sessions_valid_from (
                user_id TEXT PRIMARY KEY,
                valid_from BIGINT NOT NULL
            )
            """,
            // Remembered consents (user, application, scope), revocable.
            """
            CREATE TABLE oidc_consents (
                user_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                scope TEXT NOT NULL,
                granted_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, client_id, scope)
            )
            """,
            "CREATE INDEX remembered_browsers_user ON remembered_browsers(user_id)",
        ]),
    ]
}
