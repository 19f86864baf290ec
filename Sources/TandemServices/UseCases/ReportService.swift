import Foundation
import Logging
import TandemCore

/// "No, it's not me": block push and phone sign-in, withdraw every pending request, end sessions
/// and tokens, mark the user at high risk, audit, alert the administrators. And the way back.
public struct ReportService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.report")) {
        self.env = env
        self.logger = logger
    }

    /// Whether the report settings apply to the user.
    func applies(to user: User) async throws -> Bool {
        let settings = try await PushProtectionService(env: env).reportSettings()
        guard settings.state != "disabled" else { return false }
        if settings.includeTargetType == "user" { return settings.includeTargetID == user.id }
        if settings.includeTargetID == AuthenticatorPolicy.allUsers { return true }
        return try await PolicyService(env: env).subject(for: user).groupIDs.contains(settings.includeTargetID)
    }

    /// What a committed report leaves to do beyond the store.
    struct Reported: Sendable {
        let user: User
        let challenge: Challenge
        let withdrawn: [Challenge]
        let at: Date
        let until: Date
        let minutes: Int
    }

    /// Acts on a report of `challenge` (already moved to `reported`). The block, the withdrawals,
    /// the ended sessions and grants and both audit entries are one transaction (decision 0018):
    /// after a crash either all of it happened or none; notifications follow the commit.
    /// (The answer itself calls `handleStored` inside the transaction that moves the request to
    /// `reported`, so the state change and the block commit together.)
    public func handle(_ challenge: Challenge) async throws {
        let reported = try await env.transaction { env in try await ReportService(env: env, logger: logger).handleStored(challenge) }
        if let reported { await afterCommit(reported) }
    }

    /// The stored half of `handle`, for a caller's transaction (`env.storage` is the
    /// transaction): nil when the report settings do not apply to the user. The caller calls
    /// `afterCommit` once the transaction has committed.
    func handleStored(_ challenge: Challenge) async throws -> Reported? {
        guard let user = try await env.storage.user(id: challenge.userID), try await applies(to: user) else { return nil }
        let now = env.clock.now()
        let minutes = try await PushProtectionService(env: env).reportSettings().blockMinutes
        let until = minutes == 0 ? Date.distantFuture : now.addingTimeInterval(Double(minutes) * 60)
        try await env.storage.blockPush(userID: user.id, until: until, riskLevel: "high", riskDetail: "userReportedSuspiciousActivity", at: now)
        var withdrawn: [Challenge] = []
        for pending in try await env.storage.pendingChallenges(userID: user.id) {
            if let done = try await ChallengeService(env: env).withdrawStored(challengeID: pending.id, reason: .reportedFraud) {
                withdrawn.append(done)
            }
        }
        // Every session, refresh token and remembered-MFA browser ends (ASVS 5.0 V7.4).
        try await SessionRevocation(env: env).revokeStored(userID: user.id, reason: .suspiciousActivityReported, by: user)
        try await Auditor(env: env).record("UserManagement", "User reported suspicious activity", "Update", actor: user,
                                           targetType: "User", targetID: user.id, targetName: user.userPrincipalName,
                                           property: "riskState", old: "none", new: "atRisk")
        return Reported(user: user, challenge: challenge, withdrawn: withdrawn, at: now, until: until, minutes: minutes)
    }

    /// After the report committed: the other devices and browsers learn of the withdrawals, the
    /// tokens beyond the store end, and the administrators are alerted.
    func afterCommit(_ reported: Reported) async {
        let (user, challenge, now, until, minutes) = (reported.user, reported.challenge, reported.at, reported.until, reported.minutes)
        let challenges = ChallengeService(env: env)
        for done in reported.withdrawn { await challenges.finished(done) }
        do {
            try await SessionRevocation(env: env).revokeBeyondStore(userID: user.id, reason: .suspiciousActivityReported)
        } catch {
            // The stored revocation committed (sessions, grants, `sessionsValidFrom`); tokens
            // checked against the store are already refused.
            logger.error("ending tokens beyond the store failed after a report", metadata: ["tandem.user": "\(user.id)", "tandem.error": "\(type(of: error))"])
        }
        logger.warning("suspicious activity reported; push blocked", metadata: ["tandem.user": "\(user.id)", "tandem.challenge": "\(challenge.id)"])
        await env.alerts.send(event: "suspiciousActivityReported", details: [
            "userId": user.id, "userPrincipalName": user.userPrincipalName, "requestId": challenge.id,
            "ipAddress": challenge.context.ipAddress, "location": challenge.context.location, "application": challenge.context.application,
            "reportedDateTime": ISO8601DateFormatter().string(from: now),
            "blockedUntil": minutes == 0 ? "until an administrator unblocks" : ISO8601DateFormatter().string(from: until),
        ])
    }

    /// Lifts the block and the failure lock; the risk is dismissed (Graph `riskyUsers/dismiss`).
    public func unblock(_ user: User, by actor: User?) async throws {
        try await AdminAccess(env: env).requireMayManageAuthentication(of: user, by: actor)
        let now = env.clock.now()
        try await env.transaction { env in
            try await env.storage.unblock(userID: user.id, at: now)
            try await Auditor(env: env).record("UserManagement", "Dismiss user risk and unblock push sign-in", "Update", actor: actor,
                                               targetType: "User", targetID: user.id, targetName: user.userPrincipalName,
                                               property: "riskState", old: "atRisk", new: "dismissed")
        }
    }
}

/// Revokes a user's OpenID Connect grants (refresh tokens, access tokens, codes) in the store.
public struct GrantRevocation: TokenRevocation {
    let storage: any TandemStorage
    let clock: any TandemClock

    public init(storage: any TandemStorage, clock: any TandemClock) {
        self.storage = storage
        self.clock = clock
    }

    public func revokeAll(userID: String) async throws {
        try await storage.revokeGrants(userID: userID, at: clock.now())
    }
}
