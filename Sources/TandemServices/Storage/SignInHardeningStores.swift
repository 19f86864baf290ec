import Foundation

/// What password throttling, the per-address buckets and expiring locks need (issue 10, items
/// 4–7; migration 105; decision 0013).
public protocol SignInHardeningStore: Sendable {
    /// The throttle counter under `key`, if any.
    func throttleRecord(key: String) async throws -> ThrottleRecord?
    /// Writes `updated` if the stored record is still `expected` (by `version`; `nil` = none stored
    /// yet). `updated.version` must be `expected.version + 1` (or 1). Returns whether it was written.
    func replaceThrottle(_ updated: ThrottleRecord, expected: ThrottleRecord?) async throws -> Bool
    /// Sets the failure count under `key` to zero (and takes the next version) if it is above zero,
    /// in one write (issue 11: a successful phone sign-in ends the growing waits).
    func clearThrottleFailures(key: String) async throws
    /// Ends the user's second-factor lock (it expired, or a Temporary Access Pass lifted it) and
    /// zeroes the failure count; blocks after a report stay.
    func clearPushLock(userID: String) async throws
}
