extension Migrations {
    /// Push-bombing defences, reports, named locations, sign-in logs and delivery trails: versions 60–79.
    static let defences: [Migration] = [
        (60, [
            "ALTER TABLE users ADD COLUMN pushes_since_success INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE users ADD COLUMN last_push_at BIGINT",
            "ALTER TABLE users ADD COLUMN push_locked_at BIGINT",
            "ALTER TABLE users ADD COLUMN push_blocked_until BIGINT",
            "ALTER TABLE users ADD COLUMN risk_level TEXT NOT NULL DEFAULT 'none'",
            "ALTER TABLE users ADD COLUMN risk_state TEXT NOT NULL DEFAULT 'none'",
            "ALTER TABLE users ADD COLUMN risk_detail TEXT",
            "ALTER TABLE users ADD COLUMN risk_updated_at BIGINT",
            "ALTER TABLE challenges ADD COLUMN sign_in_id TEXT",
            "ALTER TABLE challenges ADD COLUMN suppressed INTEGER NOT NULL DEFAULT 0",
            "ALTER TABLE flows ADD COLUMN sign_in_id TEXT",
            """
            CREATE TABLE sign_in_logs (
                id TEXT PRIMARY KEY,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                user_id TEXT,
                user_principal_name TEXT NOT NULL,
                app_display_name TEXT NOT NULL,
                ip_address TEXT NOT NULL,
                location TEXT NOT NULL,
                client_app TEXT NOT NULL,
                error_code INTEGER NOT NULL,
                failure_reason TEXT,
                additional_details TEXT,
                policy_reason TEXT,
                steps TEXT NOT NULL
            )
            """,
            "CREATE INDEX sign_in_logs_time ON sign_in_logs(created_at, id)",
            """
            CREATE TABLE push_trail (
                challenge_id TEXT NOT NULL,
                seq INTEGER NOT NULL,
                at BIGINT NOT NULL,
                event TEXT NOT NULL,
                channel TEXT,
                device_id TEXT,
                detail TEXT,
                PRIMARY KEY (challenge_id, seq)
            )
            """,
            """
            CREATE TABLE user_networks (
                user_id TEXT NOT NULL REFERENCES users(id),
                network TEXT NOT NULL,
                country TEXT,
                last_seen_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, network)
            )
            """,
            """
            CREATE TABLE named_locations (
                id TEXT PRIMARY KEY,
                display_name TEXT NOT NULL,
                ip_ranges TEXT NOT NULL,
                is_trusted INTEGER NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
        ]),
    ]
}
