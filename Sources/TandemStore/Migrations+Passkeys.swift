extension Migrations {
    /// Passkeys (WebAuthn credentials) and their single-use challenges: versions 140–149
    /// (docs/decisions/0020-passkeys.md).
    static let passkeys: [Migration] = [
        (140, [
            """
            CREATE TABLE passkeys (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                credential_id TEXT NOT NULL UNIQUE,
                public_key TEXT NOT NULL,
                algorithm INTEGER NOT NULL,
                sign_count BIGINT NOT NULL,
                aaguid TEXT NOT NULL,
                backup_eligible INTEGER NOT NULL,
                backed_up INTEGER NOT NULL,
                attestation_format TEXT NOT NULL,
                transports TEXT NOT NULL,
                name TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT
            )
            """,
            "CREATE INDEX passkeys_user ON passkeys(user_id)",
            """
            CREATE TABLE passkey_challenges (
                id TEXT PRIMARY KEY,
                user_id TEXT,
                purpose TEXT NOT NULL,
                challenge TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            "CREATE INDEX passkey_challenges_expiry ON passkey_challenges(expires_at)",
        ]),
        // How the attestation was judged: none, self, basic (a verified chain; decision 0037).
        (141, ["ALTER TABLE passkeys ADD COLUMN attestation TEXT NOT NULL DEFAULT 'none'"]),
    ]
}
