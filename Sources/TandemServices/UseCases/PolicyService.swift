import Foundation
import Logging
import TandemCore

/// The authentication-methods policy and the legacy MFA settings: storage, validation, audit, and
/// evaluation for a user.
public struct PolicyService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public static let authenticatorPolicyID = "microsoftAuthenticator"
    public static let legacyMFAID = "legacyMfa"

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.policy")) {
        self.env = env
        self.logger = logger
    }

    /// The stored policy, or Tandem's default with the server's configured number of digits.
    public func authenticatorPolicy() async throws -> AuthenticatorPolicy {
        guard let body = try await env.storage.policyDocument(id: Self.authenticatorPolicyID),
              let policy = try? JSONDecoder().decode(AuthenticatorPolicy.self, from: Data(body.utf8))
        else {
            var policy = AuthenticatorPolicy.default
            policy.numberDigits = env.settings.numberDigits
            return policy
        }
        return policy
    }

    /// Validates and saves the policy, writing the change to the audit log.
    public func save(_ policy: AuthenticatorPolicy, by actor: User?) async throws {
        try await validate(policy)
        let old = try await authenticatorPolicy()
        let body = Self.json(policy)
        try await env.storage.savePolicyDocument(id: Self.authenticatorPolicyID, body: body, updatedAt: env.clock.now())
        try await Auditor(env: env).record("Policy", "Update authentication methods policy", "Update", actor: actor,
                                           targetType: "Policy", targetID: Self.authenticatorPolicyID, targetName: "Microsoft Authenticator",
                                           property: "microsoftAuthenticator", old: Self.json(old), new: body)
        logger.info("authentication methods policy updated", metadata: ["tandem.actor": "\(actor?.id ?? "cli")"])
    }

    /// The rules Entra enforces on this configuration, plus Tandem's own ranges.
    func validate(_ policy: AuthenticatorPolicy) async throws {
        if policy.featureSettings.numberMatchingRequiredState.state == .disabled {
            throw TandemError(.badRequest, "featureSettings.numberMatchingRequiredState: number matching can't be disabled.")
        }
        guard NumberMatch.allowedDigits.contains(policy.numberDigits) else {
            throw TandemError(.badRequest, "tandemNumberDigits must be between 2 and 8.")
        }
        // A target list that selects nobody ("Select groups" with no group ticked) is refused: it
        // would silently take every user's second factor away (decision 0013). Both the admin page
        // and Graph save through here.
        guard !policy.includeTargets.isEmpty else {
            throw TandemError(.badRequest, "includeTargets: select at least one group (or All users). A policy that includes no one would let users sign in without their Authenticator app.")
        }
        for (index, target) in policy.includeTargets.enumerated() {
            try await checkTarget(target.targetType, target.id, field: "includeTargets[\(index)].id")
        }
        for (index, target) in policy.excludeTargets.enumerated() {
            guard target.id != AuthenticatorPolicy.allUsers else {
                throw TandemError(.badRequest, "excludeTargets[\(index)].id: all_users can't be excluded; disable the method instead.")
            }
            try await checkTarget(target.targetType, target.id, field: "excludeTargets[\(index)].id")
        }
        let features = [("numberMatchingRequiredState", policy.featureSettings.numberMatchingRequiredState),
                        ("displayAppInformationRequiredState", policy.featureSettings.displayAppInformationRequiredState),
                        ("displayLocationInformationRequiredState", policy.featureSettings.displayLocationInformationRequiredState),
                        ("companionAppAllowedState", policy.featureSettings.companionAppAllowedState)]
        for (name, feature) in features {
            try await checkTarget(feature.includeTarget.targetType, feature.includeTarget.id, field: "featureSettings.\(name).includeTarget.id")
            if feature.excludeTarget.id != AuthenticatorPolicy.noOne {
                try await checkTarget(feature.excludeTarget.targetType, feature.excludeTarget.id, field: "featureSettings.\(name).excludeTarget.id")
            }
        }
    }

    func checkTarget(_ type: AuthenticatorPolicy.TargetType, _ id: String, field: String) async throws {
        switch type {
        case .group:
            if id == AuthenticatorPolicy.allUsers { return }
            guard try await env.storage.group(id: id) != nil else { throw TandemError(.badRequest, "\(field): no group with id \(id).") }
        case .user:
            guard try await env.storage.user(id: id) != nil else { throw TandemError(.badRequest, "\(field): no user with id \(id).") }
        }
    }

    /// The legacy MFA service settings.
    public func legacySettings() async throws -> LegacyMFASettings {
        guard let body = try await env.policyDocument(id: Self.legacyMFAID),
              let settings = try? JSONDecoder().decode(LegacyMFASettings.self, from: Data(body.utf8))
        else { return LegacyMFASettings() }
        return settings
    }

    /// Validates and saves the legacy MFA service settings, with an audit entry.
    public func saveLegacySettings(_ settings: LegacyMFASettings, by actor: User?) async throws {
        guard (0...365).contains(settings.rememberMultiFactorDays) else {
            throw TandemError(.badRequest, "rememberMultiFactorDays must be between 0 and 365.")
        }
        for (index, range) in settings.trustedIPRanges.enumerated() where CIDR(range) == nil {
            throw TandemError(.badRequest, "trustedIPRanges[\(index)]: \(range) is not an IP address or CIDR range.")
        }
        let old = try await legacySettings()
        let body = Self.json(settings)
        try await env.storage.savePolicyDocument(id: Self.legacyMFAID, body: body, updatedAt: env.clock.now())
        try await Auditor(env: env).record("Policy", "Update MFA service settings", "Update", actor: actor,
                                           targetType: "Policy", targetID: Self.legacyMFAID, targetName: "Multi-factor authentication service settings",
                                           property: "serviceSettings", old: Self.json(old), new: body)
    }

    /// Every group the user is in, directly or through nested groups (cycle-safe).
    public func subject(for user: User) async throws -> PolicySubject {
        var seen: Set<String> = []
        var frontier = [user.id]
        while let member = frontier.popLast() {
            for group in try await env.storage.groupsContaining(memberID: member) where !seen.contains(group) {
                seen.insert(group)
                frontier.append(group)
            }
        }
        return PolicySubject(userID: user.id, groupIDs: seen)
    }

    /// The policy's verdict for the user, evaluated now (no cache: changes apply to the next sign-in).
    public func verdict(for user: User) async throws -> AuthenticatorVerdict {
        PolicyEvaluator.evaluate(try await authenticatorPolicy(), for: try await subject(for: user))
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data(), as: UTF8.self)
    }
}
