import Foundation
import TandemCore

/// What one sign-in step decides over, read once (issue 11): the user, the policy and its verdict
/// for the user's groups, the legacy MFA settings, the devices, push protection, passes and
/// codes. Every decision of the step (`SignInDecision`) and the push it sends use this one
/// reading instead of going back to the store for each question.
struct SignInSnapshot: Sendable {
    let user: User
    let policy: AuthenticatorPolicy
    let subject: PolicySubject
    let verdict: AuthenticatorVerdict
    let legacy: LegacyMFASettings
    let devices: [Device]
    let security: UserSecurity
    let passes: [TemporaryAccessPass]
    let hasCodeSecret: Bool
    let now: Date

    static func load(_ user: User, env: ServiceEnvironment) async throws -> SignInSnapshot {
        let policies = PolicyService(env: env)
        let policy = try await policies.authenticatorPolicy()
        let subject = try await policies.subject(for: user)
        let verdict = PolicyEvaluator.evaluate(policy, for: subject)
        let legacy = try await policies.legacySettings()
        let devices = try await env.storage.devices(userID: user.id)
        let security = try await PushProtectionService(env: env).security(userID: user.id)
        let passes = try await env.storage.temporaryAccessPasses(userID: user.id)
        let codesOn = legacy.verificationCodeFromMobileApp && verdict.softwareOathAllowed
        let hasCodeSecret = codesOn ? !(try await env.storage.totpCredentials(userID: user.id).isEmpty) : false
        return SignInSnapshot(user: user, policy: policy, subject: subject, verdict: verdict, legacy: legacy, devices: devices,
                              security: security, passes: passes, hasCodeSecret: hasCodeSecret, now: env.clock.now())
    }

    var phoneSignInAvailable: Bool {
        user.accountEnabled && verdict.passwordlessAllowed && devices.contains { $0.mayAnswer(.passwordless) } && !security.isPushBarred(at: now)
    }

    var notificationAvailable: Bool {
        legacy.notificationThroughMobileApp && devices.contains { $0.mayAnswer(.mfa) } && verdict.pushAllowed
    }

    var codesAvailable: Bool { hasCodeSecret }

    var usablePass: TemporaryAccessPass? { passes.first { $0.isUsable(at: now) } }

    /// Decision 0013: per-user MFA on, the policy's targets cover the user (whatever its state), or
    /// an active authenticator.
    var mfaRequired: Bool {
        user.mfaState != .disabled || PolicyEvaluator.covers(policy, subject) || devices.contains { $0.state == .active }
    }

    func trustedNetwork(_ ipAddress: String) -> Bool {
        legacy.trustedIPRanges.compactMap(CIDR.init).contains { $0.contains(ipAddress) }
    }

    /// The facts of the pure decision; the browser-dependent ones are filled in by the caller.
    var facts: SignInFacts {
        var facts = SignInFacts()
        facts.hasPassword = user.passwordHash != nil
        facts.hasUsablePass = usablePass != nil
        facts.phoneSignInAvailable = phoneSignInAvailable
        facts.notificationAvailable = notificationAvailable
        facts.codesAvailable = codesAvailable
        facts.mfaRequired = mfaRequired
        facts.prefersCode = user.preferredMethod == "oath"
        return facts
    }

    /// What `ChallengeService.issue` needs that this snapshot already read.
    var issueFacts: ChallengeService.IssueFacts { .init(devices: devices, verdict: verdict, security: security) }
}
