import Foundation
import TandemCore
import TandemServices

extension InMemoryStorage {
    public func throttleRecord(key: String) -> ThrottleRecord? { throttles[key] }

    public func replaceThrottle(_ updated: ThrottleRecord, expected: ThrottleRecord?) -> Bool {
        guard throttles[updated.key]?.version == expected?.version else { return false }
        throttles[updated.key] = updated
        return true
    }

    public func takeBucketToken(key: String, milliCapacity: Int, perMinute: Int, now: Date) -> Bool {
        var record = throttles[key] ?? ThrottleRecord(key: key, milliTokens: milliCapacity, updatedAt: now)
        let elapsed = max(0, Int64((now.timeIntervalSince1970 * 1000).rounded(.down)) - Int64((record.updatedAt.timeIntervalSince1970 * 1000).rounded(.down)))
        let level = min(milliCapacity, record.milliTokens + Int(elapsed * Int64(perMinute) / 60))
        guard level >= 1000 else { return false }
        record.milliTokens = level - 1000
        record.updatedAt = now
        record.version += 1
        throttles[key] = record
        return true
    }

    public func refundBucketToken(key: String, milliCapacity: Int) {
        guard var record = throttles[key] else { return }
        record.milliTokens = min(milliCapacity, record.milliTokens + 1000)
        record.version += 1
        throttles[key] = record
    }

    public func clearThrottleFailures(key: String) {
        guard var record = throttles[key], record.failures > 0 else { return }
        record.failures = 0
        record.version += 1
        throttles[key] = record
    }

    public func clearPushLock(userID: String) {
        securityByUser[userID, default: UserSecurity()].pushLockedAt = nil
        usersByID[userID]?.pushFailures = 0
    }
}
