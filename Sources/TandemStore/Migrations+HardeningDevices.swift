extension Migrations {
    /// Hardening of device keys and signed requests (issue 10, item 1): versions 100–104.
    static let hardeningDevices: [Migration] = [
        (100, [
            // Request nonces of signed device requests (version 2), kept until the request's
            // ±300 s window closes, so a captured request cannot be sent again (any instance).
            """
            CREATE TABLE device_request_nonces (
                device_id TEXT NOT NULL,
                nonce TEXT NOT NULL,
                expires_at BIGINT NOT NULL,
                PRIMARY KEY (device_id, nonce)
            )
            """,
            "CREATE INDEX device_request_nonces_expiry ON device_request_nonces(expires_at)",
            // Single-use server nonces for key changes (phone sign-in), by digest, one per device.
            """
            CREATE TABLE device_key_change_nonces (
                nonce_digest TEXT PRIMARY KEY,
                device_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            "CREATE INDEX device_key_change_nonces_device ON device_key_change_nonces(device_id)",
            // Notices to a user's devices about changes to the others.
            """
            CREATE TABLE device_notices (
                id TEXT NOT NULL,
                recipient_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                subject_device_id TEXT NOT NULL,
                subject_device_name TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                delivered_at BIGINT,
                PRIMARY KEY (recipient_id, id)
            )
            """,
        ]),
    ]
}
