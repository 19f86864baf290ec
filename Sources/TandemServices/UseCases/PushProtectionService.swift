import Foundation
import Logging
import TandemCore

/// Push-bombing defences: the pending cap, growing waits since the last success, the failure lock,
/// blocks after "No, it's not me", and quiet delivery from unfamiliar places.
public struct PushProtectionService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public static let settingsID = "pushProtection"
    public static let reportSettingsID = "reportSuspiciousActivity"

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.protection")) {
        self.env = env
        self.logger = logger
    }

    /// The push-protection settings as one policy document (decision 0018: compare-and-set,
    /// `If-Match`, audited in the same transaction). A document that does not decode reads as the
    /// defaults, as it always did.
    var settingsDocument: MethodConfigurationDocument<PushProtectionSettings> {
        MethodConfigurationDocument(env: env, id: Self.settingsID, standard: PushProtectionSettings(), unreadable: PushProtectionSettings(),
                                    name: Self.settingsID, activity: "Update push protection settings")
    }

    var reportDocument: MethodConfigurationDocument<ReportSuspiciousActivitySettings> {
        MethodConfigurationDocument(env: env, id: Self.reportSettingsID, standard: ReportSuspiciousActivitySettings(),
                                    unreadable: ReportSuspiciousActivitySettings(), name: Self.reportSettingsID,
                                    activity: "Update report suspicious activity settings")
    }

    public func settings() async throws -> PushProtectionSettings {
        try await settingsDocument.read()
    }

    /// The settings with their entity tag (Graph `ETag`).
    public func taggedSettings() async throws -> (settings: PushProtectionSettings, etag: String) {
        let (settings, etag) = try await settingsDocument.readTagged()
        return (settings, etag)
    }

    public func saveSettings(_ settings: PushProtectionSettings, by actor: User?) async throws {
        try await updateSettings(by: actor) { _ in settings }
    }

    /// Changes the settings by `change` without losing a concurrent change (compare-and-set,
    /// retried; `412` when `ifMatch` no longer matches). Returns the new entity tag.
    @discardableResult
    public func updateSettings(ifMatch: String? = nil, by actor: User?,
                               _ change: (PushProtectionSettings) throws -> PushProtectionSettings) async throws -> String {
        try await settingsDocument.updateTagged(ifMatch: ifMatch, by: actor, validate: { try Self.validate($0) }, change).etag
    }

    static func validate(_ settings: PushProtectionSettings) throws {
        guard (1...100).contains(settings.failureLockThreshold) else {
            throw TandemError(.badRequest, "failureLockThreshold must be between 1 and 100 (NIST SP 800-63B-4).")
        }
        guard (1...20).contains(settings.maxPendingPerUser) else { throw TandemError(.badRequest, "maxPendingPerUser must be between 1 and 20.") }
        guard (1...100).contains(settings.freePushes) else { throw TandemError(.badRequest, "freePushes must be between 1 and 100.") }
        guard (1...3600).contains(settings.baseDelaySeconds), (settings.baseDelaySeconds...86_400).contains(settings.maxDelaySeconds) else {
            throw TandemError(.badRequest, "baseDelaySeconds must be 1–3600 and maxDelaySeconds between it and 86400.")
        }
        if let minutes = settings.failureLockMinutes, !(1...1440).contains(minutes) {
            throw TandemError(.badRequest, "failureLockMinutes must be between 1 and 1440: a lock always ends on its own.")
        }
    }

    public func reportSettings() async throws -> ReportSuspiciousActivitySettings {
        try await reportDocument.read()
    }

    /// The report settings with their entity tag (one read).
    public func taggedReportSettings() async throws -> (settings: ReportSuspiciousActivitySettings, etag: String) {
        let (value, etag) = try await reportDocument.readTagged()
        return (value, etag)
    }

    public func saveReportSettings(_ settings: ReportSuspiciousActivitySettings, by actor: User?) async throws {
        try await updateReportSettings(by: actor) { _ in settings }
    }

    /// As `updateSettings`, for the report settings.
    @discardableResult
    public func updateReportSettings(ifMatch: String? = nil, by actor: User?,
                                     _ change: (ReportSuspiciousActivitySettings) throws -> ReportSuspiciousActivitySettings) async throws -> String {
        try await reportDocument.updateTagged(ifMatch: ifMatch, by: actor, validate: { try Self.validateReport($0) }, change).etag
    }

    public static func validateReport(_ settings: ReportSuspiciousActivitySettings) throws {
        guard ["default", "enabled", "disabled"].contains(settings.state) else {
            throw TandemError(.badRequest, "reportSuspiciousActivitySettings.state must be default, enabled or disabled.")
        }
        guard ["group", "user"].contains(settings.includeTargetType) else {
            throw TandemError(.badRequest, "reportSuspiciousActivitySettings.includeTarget.targetType must be group or user.")
        }
        guard (0...525_600).contains(settings.blockMinutes) else {
            throw TandemError(.badRequest, "tandemBlockMinutes must be between 0 (until an administrator unblocks) and 525600.")
        }
    }

    /// The user's protection state with an expired failure lock ended first (locks end on their
    /// own, decision 0013).
    public func security(userID: String) async throws -> UserSecurity {
        var security = try await env.storage.security(userID: userID)
        if security.lockExpired(at: env.clock.now(), duration: try await settings().lockDuration) {
            try await env.storage.clearPushLock(userID: userID)
            logger.notice("push lock ended on its own", metadata: ["tandem.user": "\(userID)"])
            security.pushLockedAt = nil
        }
        return security
    }

    /// Admits one more push for `user` or refuses it: barred (locked or blocked), too many pending,
    /// or too soon after the previous push. The counter is taken atomically.
    ///
    /// Phone sign-in requests (started with no factor, by anyone who knows the name) have their own
    /// pending cap and their own growing waits, so a flood of them never delays the push that
    /// follows a right password (decision 0013).
    /// `known` is the state the caller read in the same step: the MFA counter is taken by
    /// compare-and-set against it, so a push sent in between still makes this one fail.
    /// `pending`, likewise, is the user's pending requests read in the same step.
    public func admit(_ user: User, kind: ChallengeKind, known: UserSecurity? = nil, pending: [Challenge]? = nil) async throws {
        guard kind != .registration else { return }
        let now = env.clock.now()
        let settings = try await settings()
        let security = if let known { known } else { try await security(userID: user.id) }
        if security.isPushBarred(at: now) {
            throw TandemError(.locked, "Sign-in requests to your Authenticator app are blocked for your account. Contact your administrator.")
        }
        let all = if let pending { pending } else { try await env.storage.pendingChallenges(userID: user.id) }
        let pending = all.filter { $0.expiresAt > now && $0.kind == kind }
        if pending.count >= settings.maxPendingPerUser {
            logger.notice("push refused: pending cap", metadata: ["tandem.user": "\(user.id)"])
            throw TandemError(.tooManyRequests, "Too many sign-in requests are waiting for an answer. Answer or wait for them to expire.")
        }
        if kind == .passwordless {
            try await admitPasswordless(user, settings: settings, now: now)
            return
        }
        let wait = settings.requiredWait(pushesSinceSuccess: security.pushesSinceSuccess)
        if wait > 0, let last = security.lastPushAt, now.timeIntervalSince(last) < wait {
            let seconds = Int((wait - now.timeIntervalSince(last)).rounded(.up))
            logger.notice("push refused: rate limit", metadata: ["tandem.user": "\(user.id)", "tandem.wait": "\(seconds)"])
            throw TandemError(.tooManyRequests, "Too many sign-in requests were sent. Wait \(seconds) seconds before sending another.")
        }
        guard try await env.storage.reservePush(userID: user.id, expected: security, now: now) else {
            throw TandemError(.tooManyRequests, "Another sign-in request was just sent. Wait a moment and try again.")
        }
    }

    /// The growing waits of phone sign-in requests, counted apart from the MFA pushes.
    func admitPasswordless(_ user: User, settings: PushProtectionSettings, now: Date) async throws {
        let throttle = SignInThrottleService(env: env)
        let seconds: Int = try await throttle.update("passwordless|" + user.id) { record in
            let wait = settings.requiredWait(pushesSinceSuccess: record.failures)
            if wait > 0, let last = record.lastFailureAt, now.timeIntervalSince(last) < wait {
                return Int((wait - now.timeIntervalSince(last)).rounded(.up))
            }
            record.failures += 1
            record.lastFailureAt = now
            return 0
        }
        if seconds > 0 {
            logger.notice("phone sign-in refused: rate limit", metadata: ["tandem.user": "\(user.id)", "tandem.wait": "\(seconds)"])
            throw TandemError(.tooManyRequests, "Too many sign-in requests were sent. Wait \(seconds) seconds before sending another.")
        }
    }

    /// Counts a failure (wrong number, denial, no answer); locks push at the bound. The lock ends
    /// after `failureLockMinutes`, or with a Temporary Access Pass sign-in. Callers count only what
    /// an attacker can't cause without a factor (decision 0013): every failure of an MFA request,
    /// only wrong numbers of a phone sign-in request, and wrong verification codes.
    public func recordFailure(userID: String) async throws {
        _ = try await security(userID: userID)
        let failures = try await env.storage.recordPushFailure(userID: userID, reset: false)
        let threshold = try await settings().failureLockThreshold
        if failures >= threshold {
            try await env.storage.lockPush(userID: userID, at: env.clock.now())
            try await SignInThrottleService(env: env).notePushLock(userID: userID)
            logger.warning("push locked: failure bound reached", metadata: ["tandem.user": "\(userID)", "tandem.failures": "\(failures)"])
            try await Auditor(env: env).record("UserManagement", "Lock push sign-in after repeated failures", "Update", actor: nil,
                                               targetType: "User", targetID: userID, targetName: try await env.storage.user(id: userID)?.userPrincipalName,
                                               property: "pushFailures", new: String(failures))
        }
    }

    /// After a successful sign-in: failures and the push counter go back to zero.
    public func recordSuccess(userID: String) async throws {
        // Both counters to zero in one write.
        try await env.storage.resetPushCounter(userID: userID)
        // The phone sign-in waits start over: one conditional write, no read.
        try await env.storage.clearThrottleFailures(key: "passwordless|" + userID)
    }

    /// A Temporary Access Pass sign-in (an administrator's pass): also ends a failure lock.
    public func recordPassSuccess(userID: String) async throws {
        try await env.storage.clearPushLock(userID: userID)
        try await recordSuccess(userID: userID)
    }

    /// Whether a request from `place` at `ipAddress` should go out quietly: the user has signed in
    /// before, and never from this network or country.
    public func isUnfamiliar(userID: String, ipAddress: String, place: Place) async throws -> Bool {
        guard try await settings().suppressUnfamiliarLocations else { return false }
        let known = try await env.storage.networks(userID: userID)
        guard !known.isEmpty else { return false }
        let network = Self.networkKey(ipAddress)
        if known.contains(where: { $0.network == network }) { return false }
        if let country = place.country, known.contains(where: { $0.country == country }) { return false }
        return true
    }

    /// Remembers the network of a successful sign-in.
    public func recordFamiliar(userID: String, ipAddress: String, place: Place) async throws {
        guard !ipAddress.isEmpty else { return }
        try await env.storage.recordNetwork(userID: userID, network: Self.networkKey(ipAddress), country: place.country, at: env.clock.now())
    }

    /// The /24 (IPv4) or /48 (IPv6) an address belongs to.
    public static func networkKey(_ ip: String) -> String {
        guard let bytes = CIDR.parseAddress(ip) else { return ip }
        if bytes.count == 4 { return "\(bytes[0]).\(bytes[1]).\(bytes[2]).0/24" }
        return CIDR("\(ip)/48").map { cidr in
            var masked = cidr.address
            for i in 6..<16 { masked[i] = 0 }
            return stride(from: 0, to: 6, by: 2).map { String(UInt16(masked[$0]) << 8 | UInt16(masked[$0 + 1]), radix: 16) }.joined(separator: ":") + "::/48"
        } ?? ip
    }
}

extension Challenge {
    /// Whether this request's failure counts toward the user's failure lock (decision 0013): an
    /// MFA request's always (it followed a right password); a phone sign-in request's only for a
    /// wrong number — anyone who knows the name can start one, so its denials and timeouts can't be
    /// allowed to lock the user out.
    var countsAsFailure: Bool {
        switch kind {
        case .mfa: true
        case .passwordless: state == .denied && reason == .wrongNumber
        case .registration: false
        }
    }
}
