import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: RegistrationCampaignStore {
    public func campaignSnoozes(userID: String) async throws -> RegistrationCampaign.Snoozes? {
        try await db.raw("SELECT snoozes, last_snoozed_at FROM registration_campaign_snoozes WHERE user_id = \(bind: userID)").first().map {
            RegistrationCampaign.Snoozes(count: try $0.decode(column: "snoozes", as: Int.self),
                                         lastAt: Self.date(try $0.decode(column: "last_snoozed_at", as: Int64.self)))
        }
    }

    public func recordCampaignSnooze(userID: String, at: Date, limit: Int?) async throws -> Int? {
        // One statement on both backends: the insert or the bounded increment (SQLite >= 3.35 and
        // PostgreSQL both take ON CONFLICT ... DO UPDATE ... WHERE with RETURNING).
        let bound = limit ?? Int.max
        guard bound > 0 else { return nil }
        return try await db.raw("""
            INSERT INTO registration_campaign_snoozes (user_id, snoozes, last_snoozed_at) VALUES (\(bind: userID), 1, \(bind: Self.millis(at)))
            ON CONFLICT (user_id) DO UPDATE SET snoozes = registration_campaign_snoozes.snoozes + 1, last_snoozed_at = excluded.last_snoozed_at
            WHERE registration_campaign_snoozes.snoozes < \(bind: bound)
            RETURNING snoozes
            """).first().map { try $0.decode(column: "snoozes", as: Int.self) }
    }
}
