import Foundation
import TandemCore

/// The registration campaign's per-user snoozes (decision 0034, migration 205).
public protocol RegistrationCampaignStore: Sendable {
    /// The user's snoozes, `nil` before the first.
    func campaignSnoozes(userID: String) async throws -> RegistrationCampaign.Snoozes?
    /// Counts one more snooze at `at` if the user has fewer than `limit` (no bound when `nil`), in
    /// one compare-and-set (two parallel "Not now" cannot both pass the bound); returns the new
    /// count, or `nil` when the bound was reached.
    func recordCampaignSnooze(userID: String, at: Date, limit: Int?) async throws -> Int?
}
