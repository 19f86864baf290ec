import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: SignInHardeningStore {
    public func throttleRecord(key: String) async throws -> ThrottleRecord? {
        try await db.raw("""
            SELECT key, failures, last_failure_at, locked_until, locked_at, milli_tokens, updated_at, version
            FROM sign_in_throttles WHERE key = \(bind: key)
            """).first().map { row in
            ThrottleRecord(key: try row.decode(column: "key", as: String.self),
                           failures: try row.decode(column: "failures", as: Int.self),
                           lastFailureAt: Self.date(try row.decode(column: "last_failure_at", as: Int64?.self)),
                           lockedUntil: Self.date(try row.decode(column: "locked_until", as: Int64?.self)),
                           lockedAt: Self.date(try row.decode(column: "locked_at", as: Int64?.self)),
                           milliTokens: try row.decode(column: "milli_tokens", as: Int.self),
                           updatedAt: Self.date(try row.decode(column: "updated_at", as: Int64.self)),
                           version: try row.decode(column: "version", as: Int.self))
        }
    }

    public func replaceThrottle(_ r: ThrottleRecord, expected: ThrottleRecord?) async throws -> Bool {
        let row: (any SQLRow)?
        if let expected {
            row = try await db.raw("""
                UPDATE sign_in_throttles SET failures = \(bind: r.failures), last_failure_at = \(bind: r.lastFailureAt.map(Self.millis)),
                    locked_until = \(bind: r.lockedUntil.map(Self.millis)), locked_at = \(bind: r.lockedAt.map(Self.millis)),
                    milli_tokens = \(bind: r.milliTokens), updated_at = \(bind: Self.millis(r.updatedAt)), version = \(bind: r.version)
                WHERE key = \(bind: r.key) AND version = \(bind: expected.version)
                RETURNING key
                """).first()
        } else {
            row = try await db.raw("""
                INSERT INTO sign_in_throttles (key, failures, last_failure_at, locked_until, locked_at, milli_tokens, updated_at, version)
                VALUES (\(bind: r.key), \(bind: r.failures), \(bind: r.lastFailureAt.map(Self.millis)), \(bind: r.lockedUntil.map(Self.millis)),
                        \(bind: r.lockedAt.map(Self.millis)), \(bind: r.milliTokens), \(bind: Self.millis(r.updatedAt)), \(bind: r.version))
                ON CONFLICT (key) DO NOTHING
                RETURNING key
                """).first()
        }
        return row != nil
    }

    public func takeBucketToken(key: String, milliCapacity: Int, perMinute: Int, now: Date) async throws -> Bool {
        let at = Self.millis(now)
        // The refilled level, capped; the same SQL on SQLite and PostgreSQL (CASE, not MIN/LEAST).
        let refill: SQLQueryString = "(CASE WHEN \(bind: at) > updated_at THEN (\(bind: at) - updated_at) * \(bind: perMinute) / 60 ELSE 0 END)"
        let level: SQLQueryString = "(CASE WHEN milli_tokens + \(refill) > \(bind: milliCapacity) THEN \(bind: milliCapacity) ELSE milli_tokens + \(refill) END)"
        for _ in 0..<2 {
            if try await db.raw("""
                UPDATE sign_in_throttles SET milli_tokens = \(level) - 1000, updated_at = \(bind: at), version = version + 1
                WHERE key = \(bind: key) AND \(level) >= 1000
                RETURNING key
                """).first() != nil { return true }
            // No token, or no bucket yet: a new bucket starts full, less this token.
            if try await db.raw("""
                INSERT INTO sign_in_throttles (key, failures, milli_tokens, updated_at, version)
                VALUES (\(bind: key), 0, \(bind: milliCapacity - 1000), \(bind: at), 1)
                ON CONFLICT (key) DO NOTHING
                RETURNING key
                """).first() != nil { return milliCapacity >= 1000 }
            // It exists: either empty, or made between the two statements — the update decides.
        }
        return false
    }

    public func refundBucketToken(key: String, milliCapacity: Int) async throws {
        try await db.raw("""
            UPDATE sign_in_throttles SET version = version + 1,
                milli_tokens = CASE WHEN milli_tokens + 1000 > \(bind: milliCapacity) THEN \(bind: milliCapacity) ELSE milli_tokens + 1000 END
            WHERE key = \(bind: key)
            """).run()
    }

    public func clearThrottleFailures(key: String) async throws {
        try await db.raw("UPDATE sign_in_throttles SET failures = 0, version = version + 1 WHERE key = \(bind: key) AND failures > 0").run()
    }

    public func clearPushLock(userID: String) async throws {
        try await db.raw("UPDATE users SET push_locked_at = NULL, push_failures = 0 WHERE id = \(bind: userID)").run()
    }
}
