import Foundation
import Logging
import TandemCore

/// Throttling of everything typed at sign-in (decision 0013): per name (known or not, so the
/// answers never tell which names exist), growing waits after a few failures and an expiring lock
/// at the bound; per source address, a token bucket of failed attempts. Stored, so it holds across
/// instances and restarts; every change is a compare-and-set.
public struct SignInThrottleService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public static let settingsID = "tandemSignInProtection"

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.throttle")) {
        self.env = env
        self.logger = logger
    }

    public func settings() async throws -> SignInProtectionSettings {
        guard let body = try await env.policyDocument(id: Self.settingsID),
              let settings = try? JSONDecoder().decode(SignInProtectionSettings.self, from: Data(body.utf8))
        else { return SignInProtectionSettings() }
        return settings
    }

    /// Validates and saves the settings, with an audit entry.
    public func saveSettings(_ settings: SignInProtectionSettings, by actor: User?) async throws {
        guard (1...100).contains(settings.lockThreshold) else {
            throw TandemError(.badRequest, "lockThreshold must be between 1 and 100 (NIST SP 800-63B-4).")
        }
        guard (0...settings.lockThreshold).contains(settings.freeFailures) else { throw TandemError(.badRequest, "freeFailures must be between 0 and lockThreshold.") }
        guard (1...3600).contains(settings.baseDelaySeconds), (settings.baseDelaySeconds...3600).contains(settings.maxDelaySeconds) else {
            throw TandemError(.badRequest, "baseDelaySeconds must be 1–3600 and maxDelaySeconds between it and 3600.")
        }
        guard (1...1440).contains(settings.lockMinutes) else { throw TandemError(.badRequest, "lockMinutes must be between 1 and 1440.") }
        guard (1...10_000).contains(settings.ipBurst), (1...10_000).contains(settings.ipPerMinute) else {
            throw TandemError(.badRequest, "ipBurst and ipPerMinute must be between 1 and 10000.")
        }
        guard (1...60).contains(settings.stepUpMinutes) else { throw TandemError(.badRequest, "stepUpMinutes must be between 1 and 60.") }
        let body = PolicyService.json(settings)
        let now = env.clock.now()
        try await env.transaction { env in  // the settings and their audit entry together (decision 0018)
            let old = try await env.storage.policyDocument(id: Self.settingsID)
            try await env.storage.savePolicyDocument(id: Self.settingsID, body: body, updatedAt: now)
            try await Auditor(env: env).record("Policy", "Update sign-in protection settings", "Update", actor: actor, targetType: "Policy",
                                               targetID: Self.settingsID, targetName: Self.settingsID, property: Self.settingsID, old: old, new: body)
        }
    }

    /// The counter of a name: the user's id when the name is a user, else a digest of the name as
    /// typed (lowercased), so unknown names are throttled exactly like known ones.
    public static func accountKey(userID: String?, typedName: String) -> String {
        if let userID { return "account|" + userID }
        return "account|name:" + SecretDigest.of(typedName.lowercased())
    }

    /// Why an attempt on `key` is not checked now, if it isn't.
    public func refusal(key: String) async throws -> ThrottleRefusal? {
        guard let record = try await env.storage.throttleRecord(key: key) else { return nil }
        let now = env.clock.now()
        let settings = try await settings()
        if let until = record.lockedUntil, until > now { return .locked(until) }
        let wait = settings.wait(afterFailures: record.failures)
        if wait > 0, let last = record.lastFailureAt, now.timeIntervalSince(last) < wait {
            return .wait(max(1, Int((wait - now.timeIntervalSince(last)).rounded(.up))))
        }
        return nil
    }

    /// Counts a failure on `key`; at the bound the name is locked for `lockMinutes` (audited and
    /// written to the sign-in log for a known user). Returns whether this failure locked it.
    @discardableResult
    public func recordFailure(key: String, userID: String?) async throws -> Bool {
        let settings = try await settings()
        let now = env.clock.now()
        let locked: Bool = try await update(key) { record in
            if let until = record.lockedUntil, until <= now {
                // The lock ended on its own: counting starts again.
                record.lockedUntil = nil
                record.failures = 0
            }
            record.failures += 1
            record.lastFailureAt = now
            guard record.failures >= settings.lockThreshold, record.lockedUntil == nil else { return false }
            record.lockedUntil = now.addingTimeInterval(Double(settings.lockMinutes) * 60)
            record.lockedAt = now
            return true
        }
        if locked {
            logger.warning("sign-in locked: failure bound reached", metadata: ["tandem.user": "\(userID ?? "-")"])
            if let userID {
                try await Auditor(env: env).record("UserManagement", "Lock sign-in after repeated incorrect attempts", "Update", actor: nil,
                                                   targetType: "User", targetID: userID,
                                                   targetName: try await env.storage.user(id: userID)?.userPrincipalName,
                                                   property: "signInLockedUntil", new: "\(settings.lockMinutes) minutes")
            }
        }
        return locked
    }

    /// A right first factor, or a strong sign-in: the name's failures and lock end.
    public func reset(key: String) async throws {
        guard let record = try await env.storage.throttleRecord(key: key), record.failures > 0 || record.lockedUntil != nil else { return }
        let _: Void = try await update(key, known: record) { record in
            record.failures = 0
            record.lockedUntil = nil
            record.lastFailureAt = nil
        }
    }

    /// Takes one token from the address's bucket (a failed attempt). `false` when it is empty.
    public func takeAddressToken(_ ip: String) async throws -> Bool {
        let settings = try await settings()
        let now = env.clock.now()
        // One atomic write: a read-then-compare-and-set lost races under many concurrent sign-ins
        // from one address and refused them (measured: 429s with tandem-bench --mfa).
        return try await env.storage.takeBucketToken(key: "ip|" + ip, milliCapacity: settings.ipBurst * 1000,
                                                     perMinute: settings.ipPerMinute, now: now)
    }

    /// Gives a token back (the attempt succeeded).
    public func refundAddressToken(_ ip: String) async throws {
        try await env.storage.refundBucketToken(key: "ip|" + ip, milliCapacity: try await settings().ipBurst * 1000)
    }

    /// When the user's name or second factor was last locked (for the notice on their pages).
    public func lastLock(userID: String) async throws -> Date? {
        let account = try await env.storage.throttleRecord(key: Self.accountKey(userID: userID, typedName: ""))?.lockedAt
        let push = try await env.storage.throttleRecord(key: "pushlock|" + userID)?.lockedAt
        return [account, push].compactMap { $0 }.max()
    }

    /// Remembers that the user's second factor was locked now (the notice).
    func notePushLock(userID: String) async throws {
        let now = env.clock.now()
        let _: Void = try await update("pushlock|" + userID) { $0.lockedAt = now }
    }

    /// Read, change, compare-and-set; again on a lost race.
    ///
    /// `known`: the record the caller has just read (it saves the first read; a stale one only
    /// costs a retry, since the write is a compare-and-set).
    func update<T>(_ key: String, known: ThrottleRecord? = nil, _ change: (inout ThrottleRecord) throws -> T) async throws -> T {
        var known = known
        for _ in 0..<16 {
            let stored: ThrottleRecord?
            if let first = known { stored = first; known = nil } else { stored = try await env.storage.throttleRecord(key: key) }
            var record = stored ?? ThrottleRecord(key: key, updatedAt: env.clock.now())
            let result = try change(&record)
            record.version = (stored?.version ?? 0) + 1
            if try await env.storage.replaceThrottle(record, expected: stored) { return result }
        }
        throw TandemError(.tooManyRequests, "Too many sign-in attempts at once. Wait a moment and try again.")
    }
}
