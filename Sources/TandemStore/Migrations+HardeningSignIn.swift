extension Migrations {
    /// Hardening of password throttling, locks and fail-closed MFA (issue 10, items 4–7, 12): versions 105–109.
    static let hardeningSignIn: [Migration] = [
        (105, [
            // Throttle counters (decision 0013): per name, per source address, phone sign-in pushes.
            """
            CREATE TABLE sign_in_throttles (
                key TEXT PRIMARY KEY,
                failures BIGINT NOT NULL,
                last_failure_at BIGINT,
                locked_until BIGINT,
                locked_at BIGINT,
                milli_tokens BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                version BIGINT NOT NULL
            )
            """,
            // A step-up sign-in (security info): trusted IPs and remembered browsers don't skip MFA.
            "ALTER TABLE flows ADD COLUMN step_up INTEGER NOT NULL DEFAULT 0",
        ]),
    ]
}
