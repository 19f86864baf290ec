import Foundation
import TandemCore
import TandemServices

/// The registration campaign's snoozes in the twin (in `InMemoryPortalTables`, so transactions
/// snapshot them with the portal tables).
extension InMemoryStorage {
    public func campaignSnoozes(userID: String) -> RegistrationCampaign.Snoozes? {
        portal.campaignSnoozes[userID]
    }
    public func recordCampaignSnooze(userID: String, at: Date, limit: Int?) -> Int? {
        let count = portal.campaignSnoozes[userID]?.count ?? 0
        guard count < (limit ?? Int.max) else { return nil }
        portal.campaignSnoozes[userID] = RegistrationCampaign.Snoozes(count: count + 1, lastAt: at)
        return count + 1
    }
}
