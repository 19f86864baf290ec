extension Migrations {
    /// Directory (groups, roles), the authentication-methods policy, legacy MFA settings and the
    /// audit log: versions 20–39.
    static let directory: [Migration] = [
        (20, [
            """
            CREATE TABLE groups (
                id TEXT PRIMARY KEY,
                display_name TEXT NOT NULL,
                description TEXT,
                mail_nickname TEXT NOT NULL,
                security_enabled INTEGER NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE group_members (
                group_id TEXT NOT NULL REFERENCES groups(id),
                member_id TEXT NOT NULL,
                member_type TEXT NOT NULL,
                PRIMARY KEY (group_id, member_id)
            )
            """,
            "CREATE INDEX group_members_member ON group_members(member_id)",
            """
            CREATE TABLE role_assignments (
                role_id TEXT NOT NULL,
                user_id TEXT NOT NULL REFERENCES users(id),
                PRIMARY KEY (role_id, user_id)
            )
            """,
            """
            CREATE TABLE policies (
                id TEXT PRIMARY KEY,
                body TEXT NOT NULL,
                updated_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE audit_logs (
                id TEXT PRIMARY KEY,
                activity_at BIGINT NOT NULL,
                category TEXT NOT NULL,
                activity TEXT NOT NULL,
                operation_type TEXT NOT NULL,
                initiated_by_id TEXT,
                initiated_by_name TEXT,
                target_type TEXT NOT NULL,
                target_id TEXT NOT NULL,
                target_name TEXT,
                property TEXT,
                old_value TEXT,
                new_value TEXT,
                result TEXT NOT NULL
            )
            """,
            "CREATE INDEX audit_logs_time ON audit_logs(activity_at, id)",
            """
            CREATE TABLE signing_keys (
                kid TEXT PRIMARY KEY,
                purpose TEXT NOT NULL,
                private_key TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE remembered_browsers (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                expires_at BIGINT NOT NULL
            )
            """,
            "ALTER TABLE users ADD COLUMN mfa_state TEXT NOT NULL DEFAULT 'disabled'",
            "ALTER TABLE users ADD COLUMN preferred_method TEXT",
            "ALTER TABLE challenges ADD COLUMN choices TEXT",
        ]),
    ]
}
