/// The schema, as one list of migrations shared by SQLite and PostgreSQL, applied in version
/// order. Append only: a released migration is never edited. Dates are stored as BIGINT
/// milliseconds since 1970. Each area keeps its migrations in its own file with its own range of
/// versions: push sign-in 1–19 (this file), directory and policy 20–39, OpenID Connect 40–59,
/// defences and logs 60–79, security info and sign-in experience 80–99, hardening 100–119
/// (devices 100–104, sign-in 105–109, admin 110–114).
enum Migrations {
    typealias Migration = (version: Int, statements: [String])

    static var all: [Migration] {
        (signIn + directory + oidc + defences + portal
         + hardeningDevices + hardeningSignIn + hardeningAdmin + deployment + signInFlow + passkeys + radius
         + webAuthenticator + webPush + strengthAwareSignIn + softwareOath + registrationCampaign + applicationContext).sorted { $0.version < $1.version }
    }

    static let signIn: [Migration] = [
        (1, [
            """
            CREATE TABLE users (
                id TEXT PRIMARY KEY,
                user_principal_name TEXT NOT NULL,
                upn_key TEXT NOT NULL UNIQUE,
                display_name TEXT NOT NULL,
                password_hash TEXT,
                account_enabled INTEGER NOT NULL,
                created_at BIGINT NOT NULL,
                last_number TEXT,
                push_failures INTEGER NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE devices (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                name TEXT NOT NULL,
                app_version TEXT NOT NULL,
                device_key TEXT NOT NULL,
                approval_key TEXT NOT NULL,
                phone_sign_in_key TEXT,
                state TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                last_used_at BIGINT
            )
            """,
            "CREATE INDEX devices_user ON devices(user_id)",
            """
            CREATE TABLE challenges (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                kind TEXT NOT NULL,
                number TEXT NOT NULL,
                nonce TEXT NOT NULL,
                context TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                state TEXT NOT NULL,
                reason TEXT,
                target_device_id TEXT,
                answered_by TEXT,
                answered_at BIGINT
            )
            """,
            "CREATE INDEX challenges_user_state ON challenges(user_id, state)",
            """
            CREATE TABLE activations (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                code_digest TEXT NOT NULL UNIQUE,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT,
                device_id TEXT,
                challenge_id TEXT
            )
            """,
            """
            CREATE TABLE flows (
                id TEXT PRIMARY KEY,
                username TEXT NOT NULL,
                user_id TEXT,
                stage TEXT NOT NULL,
                password_verified INTEGER NOT NULL,
                challenge_id TEXT,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
            """
            CREATE TABLE sessions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL REFERENCES users(id),
                methods TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL
            )
            """,
        ]),
    ]
}
