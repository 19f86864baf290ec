extension Migrations {
    /// The registration campaign's snoozes: version 205 (docs/decisions/0034-registration-campaign.md).
    static let registrationCampaign: [Migration] = [
        (205, [
            """
            CREATE TABLE registration_campaign_snoozes (
                user_id TEXT PRIMARY KEY REFERENCES users(id),
                snoozes INTEGER NOT NULL,
                last_snoozed_at BIGINT NOT NULL
            )
            """,
        ]),
    ]
}
