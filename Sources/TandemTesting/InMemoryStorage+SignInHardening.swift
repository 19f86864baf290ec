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
