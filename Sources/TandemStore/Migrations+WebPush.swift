extension Migrations {
    /// Web Push subscriptions, one per device: versions 185–189 (issue 13,
    /// docs/decisions/0023-web-push.md).
    static let webPush: [Migration] = [
        (185, [
            """
            CREATE TABLE web_push_subscriptions (
                device_id TEXT PRIMARY KEY REFERENCES devices(id),
                endpoint TEXT NOT NULL,
                p256dh TEXT NOT NULL,
                auth TEXT NOT NULL,
                created_at BIGINT NOT NULL
            )
            """,
        ]),
    ]
}
