extension Migrations {
    /// OpenID Connect provider and CIBA: versions 40–59. Client registrations and the stored
    /// requests are JSON documents beside the columns their queries need; bearer values (codes,
    /// refresh tokens, request handles, `auth_req_id`) are stored only as SHA-256 digests.
    /// Signing keys use the existing `signing_keys` table (purpose `oidc`), sealed with AES-GCM.
    static let oidc: [Migration] = [
        (40, [
            """
            CREATE TABLE oidc_clients (
                id TEXT PRIMARY KEY,
                client_id TEXT NOT NULL UNIQUE,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE oidc_authorization_requests (
                id TEXT PRIMARY KEY,
                client_id TEXT NOT NULL,
                body TEXT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE oidc_grants (
                id TEXT PRIMARY KEY,
                client_id TEXT NOT NULL,
                user_id TEXT,
                body TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            """
            CREATE TABLE oidc_codes (
                id TEXT PRIMARY KEY,
                grant_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                body TEXT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            """
            CREATE TABLE oidc_refresh_tokens (
                id TEXT PRIMARY KEY,
                grant_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            )
            """,
            "CREATE INDEX oidc_refresh_tokens_grant ON oidc_refresh_tokens(grant_id)",
            """
            CREATE TABLE oidc_access_tokens (
                id TEXT PRIMARY KEY,
                grant_id TEXT NOT NULL,
                client_id TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                revoked_at BIGINT
            )
            """,
            """
            CREATE TABLE oidc_ciba_requests (
                id TEXT PRIMARY KEY,
                client_id TEXT NOT NULL,
                body TEXT NOT NULL,
                interval_seconds INTEGER NOT NULL,
                last_poll_at BIGINT,
                expires_at BIGINT NOT NULL,
                redeemed_at BIGINT
            )
            """,
            """
            CREATE TABLE oidc_assertion_ids (
                id TEXT PRIMARY KEY,
                expires_at BIGINT NOT NULL
            )
            """,
            "ALTER TABLE flows ADD COLUMN return_to TEXT",
        ]),
    ]
}
