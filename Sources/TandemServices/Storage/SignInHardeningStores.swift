import Foundation

/// What password throttling, the per-address buckets and expiring locks need (issue 10, items
/// 4–7; migration 105; decision 0013).
public protocol SignInHardeningStore: Sendable {
    /// The throttle counter under `key`, if any.
    func throttleRecord(key: String) async throws -> ThrottleRecord?
    /// Writes `updated` if the stored record is still `expected` (by `version`; `nil` = none stored
    /// yet). `updated.version` must be `expected.version + 1` (or 1). Returns whether it was written.
    func replaceThrottle(_ updated: ThrottleRecord, expected: ThrottleRecord?) async throws -> Bool
    /// Takes one token (1000 milli-tokens) from the token bucket under `key` in one atomic write,
    /// no read first: the bucket is refilled at `perMinute` tokens a minute since its last take,
    /// capped at `milliCapacity`; a bucket not stored yet starts full. Returns whether a token was
    /// there. Many concurrent attempts from one address (an office behind one NAT) each take
    /// exactly one token and none is refused for losing a race.
    func takeBucketToken(key: String, milliCapacity: Int, perMinute: Int, now: Date) async throws -> Bool
    /// Gives one token back to the bucket under `key` (capped), in one write.
    func refundBucketToken(key: String, milliCapacity: Int) async throws
    /// Sets the failure count under `key` to zero (and takes the next version) if it is above zero,
    /// in one write (issue 11: a successful phone sign-in ends the growing waits).
    func clearThrottleFailures(key: String) async throws
    /// Ends the user's second-factor lock (it expired, or a Temporary Access Pass lifted it) and
    /// zeroes the failure count; blocks after a report stay.
    func clearPushLock(userID: String) async throws
}
