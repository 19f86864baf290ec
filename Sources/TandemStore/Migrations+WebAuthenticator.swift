extension Migrations {
    /// The web authenticator (issue 13): versions 180–184 (docs/decisions/0022-web-authenticator-keys.md).
    /// A device's platform, and a web device's approval passkey and its registration challenge,
    /// on the device row: the counter is written by compare-and-set in the same transaction as
    /// the answer it came with.
    static let webAuthenticator: [Migration] = [
        (180, [
            "ALTER TABLE devices ADD COLUMN platform TEXT NOT NULL DEFAULT 'app'",
            "ALTER TABLE devices ADD COLUMN approval_challenge TEXT",
            "ALTER TABLE devices ADD COLUMN approval_challenge_expires_at BIGINT",
            "ALTER TABLE devices ADD COLUMN approval_credential_id TEXT",
            "ALTER TABLE devices ADD COLUMN approval_credential_key TEXT",
            "ALTER TABLE devices ADD COLUMN approval_sign_count BIGINT",
            "ALTER TABLE devices ADD COLUMN approval_backup_eligible INTEGER",
            "ALTER TABLE devices ADD COLUMN approval_registered_at BIGINT",
            "CREATE UNIQUE INDEX devices_approval_credential ON devices(approval_credential_id)",
        ]),
    ]
}
