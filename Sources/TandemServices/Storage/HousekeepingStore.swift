import Foundation

/// Housekeeping: what has expired goes, one `purge…(before:)` per store area, each returning how
/// many rows (records) it removed. The cut-off is chosen by the caller (the housekeeping service
/// with the injected clock), so the stores never read the time themselves.
public protocol HousekeepingStore: Sendable {
    /// Challenges whose `expiresAt` is before `before`, with their delivery trails (the trail is
    /// the detail of a sign-in log row, so callers cut at the sign-in log's retention).
    func purgeChallenges(before: Date) async throws -> Int
    /// Sign-in flows whose `expiresAt` is before `before`.
    func purgeFlows(before: Date) async throws -> Int
    /// Activation codes whose `expiresAt` is before `before`, used or not.
    func purgeActivations(before: Date) async throws -> Int
    /// Browser sessions and remembered browsers whose `expiresAt` is before `before`.
    func purgeSessions(before: Date) async throws -> Int
    /// OpenID Connect authorization requests, authorization codes, access and refresh token
    /// records and CIBA requests whose `expiresAt` is before `before` (and, in SQL, the replay
    /// guard's expired client-assertion ids).
    func purgeOIDC(before: Date) async throws -> Int
    /// Sign-in log rows created before `before`.
    func purgeSignIns(before: Date) async throws -> Int
    /// Audit log entries from before `before`.
    func purgeAudits(before: Date) async throws -> Int
    /// Whether the store answers and every migration this build knows is applied (`/readyz`).
    func isMigrated() async throws -> Bool
}
