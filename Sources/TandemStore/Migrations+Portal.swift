extension Migrations {
    /// Security info, the sign-in experience, verification codes and Temporary Access Passes:
    /// versions 80–99.
    static let portal: [Migration] = [
        (80, [
            "ALTER TABLE devices ADD COLUMN totp_secret TEXT",
            "ALTER TABLE devices ADD COLUMN totp_last_step BIGINT",
            "ALTER TABLE users ADD COLUMN last_sign_in_method TEXT",
            "ALTER TABLE flows ADD COLUMN factors TEXT NOT NULL DEFAULT ''",
            "ALTER TABLE flows ADD COLUMN choice TEXT",
            """
            CREATE TABLE temporary_access_passes (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                pass_hash TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                start_at BIGINT NOT NULL,
                lifetime_minutes INTEGER NOT NULL,
                is_usable_once INTEGER NOT NULL,
                used_at BIGINT,
                created_by TEXT
            )
            """,
            "CREATE INDEX temporary_access_passes_user ON temporary_access_passes(user_id)",
        ]),
    ]
}
