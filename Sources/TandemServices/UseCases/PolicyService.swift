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
        decode(try await env.policyDocument(id: Self.authenticatorPolicyID))
    }

    /// The policy and its entity tag (`ETag`), which changes with every saved change.
    public func taggedAuthenticatorPolicy() async throws -> (policy: AuthenticatorPolicy, etag: String) {
        let stored = try await env.storage.policyDocument(id: Self.authenticatorPolicyID)
        return (decode(stored), PolicyTag.of(stored))
    }

    func decode(_ body: String?) -> AuthenticatorPolicy {
        guard let body, let policy = try? JSONDecoder().decode(AuthenticatorPolicy.self, from: Data(body.utf8)) else {
            var policy = AuthenticatorPolicy.default
            policy.numberDigits = env.settings.numberDigits
            return policy
        }
        return policy
    }

    /// Validates and saves the policy, writing the change to the audit log in the same transaction.
    public func save(_ policy: AuthenticatorPolicy, by actor: User?) async throws {
        try await validate(policy)
        let body = Self.json(policy)
        let (now, env) = (env.clock.now(), env)
        try await env.transaction { env in
            let old = Self.json(PolicyService(env: env).decode(try await env.storage.policyDocument(id: Self.authenticatorPolicyID)))
            try await env.storage.savePolicyDocument(id: Self.authenticatorPolicyID, body: body, updatedAt: now)
            try await Self.auditUpdate(env, actor: actor, old: old, new: body)
        }
        logger.info("authentication methods policy updated", metadata: ["tandem.actor": "\(actor?.id ?? "cli")"])
    }

    /// Changes the policy by `change` without losing a concurrent change (a Graph PATCH): the
    /// read-modify-write is a compare-and-set on the stored document, retried when another change
    /// came first, unless the caller sent `ifMatch` (`If-Match`), which then fails with
    /// `.preconditionFailed`. Returns the new entity tag.
    @discardableResult
    public func update(ifMatch: String? = nil, by actor: User?,
                       _ change: (AuthenticatorPolicy) throws -> AuthenticatorPolicy) async throws -> String {
        for _ in 0..<8 {
            let stored = try await env.storage.policyDocument(id: Self.authenticatorPolicyID)
            if let ifMatch, !PolicyTag.matches(ifMatch, stored) { throw PolicyTag.mismatch }
            let current = decode(stored)
            let updated = try change(current)
            try await validate(updated)
            let body = Self.json(updated)
            let (now, env) = (env.clock.now(), env)
            let saved = try await env.transaction { env in
                guard try await env.storage.replacePolicyDocument(id: Self.authenticatorPolicyID, body: body, updatedAt: now, ifBodyIs: stored) else {
                    return false
                }
                try await Self.auditUpdate(env, actor: actor, old: Self.json(current), new: body)
                return true
            }
            if saved {
                logger.info("authentication methods policy updated", metadata: ["tandem.actor": "\(actor?.id ?? "cli")"])
                return PolicyTag.of(body)
            }
            if ifMatch != nil { throw PolicyTag.mismatch }
        }
        throw TandemError(.conflict, "The policy is being changed by someone else; try again.")
    }

    static func auditUpdate(_ env: ServiceEnvironment, actor: User?, old: String, new: String) async throws {
        try await Auditor(env: env).record("Policy", "Update authentication methods policy", "Update", actor: actor,
                                           targetType: "Policy", targetID: authenticatorPolicyID, targetName: "Microsoft Authenticator",
                                           property: "microsoftAuthenticator", old: old, new: new)
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

    static func validateLegacy(_ settings: LegacyMFASettings) throws {
        guard (0...365).contains(settings.rememberMultiFactorDays) else {
            throw TandemError(.badRequest, "rememberMultiFactorDays must be between 0 and 365.")
        }
        for (index, range) in settings.trustedIPRanges.enumerated() where CIDR(range) == nil {
            throw TandemError(.badRequest, "trustedIPRanges[\(index)]: \(range) is not an IP address or CIDR range.")
        }
    }

    /// The legacy MFA service settings with their entity tag (decision 0018).
    public func taggedLegacySettings() async throws -> (settings: LegacyMFASettings, etag: String) {
        let stored = try await env.storage.policyDocument(id: Self.legacyMFAID)
        let settings = stored.flatMap { try? JSONDecoder().decode(LegacyMFASettings.self, from: Data($0.utf8)) } ?? LegacyMFASettings()
        return (settings, PolicyTag.of(stored))
    }

    /// Changes the legacy MFA service settings by `change` without losing a concurrent change, as
    /// `update(ifMatch:by:_:)` does for the Authenticator policy: a compare-and-set on the stored
    /// document (retried, or 412 when the caller sent `If-Match`), with its audit entry in the same
    /// transaction. Returns the new entity tag.
    @discardableResult
    public func updateLegacySettings(ifMatch: String? = nil, by actor: User?,
                                     _ change: (LegacyMFASettings) throws -> LegacyMFASettings) async throws -> String {
        for _ in 0..<8 {
            let stored = try await env.storage.policyDocument(id: Self.legacyMFAID)
            if let ifMatch, !PolicyTag.matches(ifMatch, stored) { throw PolicyTag.mismatch }
            let current = stored.flatMap { try? JSONDecoder().decode(LegacyMFASettings.self, from: Data($0.utf8)) } ?? LegacyMFASettings()
            let updated = try change(current)
            try Self.validateLegacy(updated)
            let body = Self.json(updated)
            let (now, env) = (env.clock.now(), env)
            let saved = try await env.transaction { env in
                guard try await env.storage.replacePolicyDocument(id: Self.legacyMFAID, body: body, updatedAt: now, ifBodyIs: stored) else { return false }
                try await Auditor(env: env).record("Policy", "Update MFA service settings", "Update", actor: actor,
                                                   targetType: "Policy", targetID: Self.legacyMFAID, targetName: "Multi-factor authentication service settings",
                                                   property: "serviceSettings", old: Self.json(current), new: body)
                return true
            }
            if saved { return PolicyTag.of(body) }
            if ifMatch != nil { throw PolicyTag.mismatch }
        }
        throw TandemError(.conflict, "The MFA service settings are being changed by someone else; try again.")
    }

    /// Validates and saves the legacy MFA service settings, with an audit entry.
    public func saveLegacySettings(_ settings: LegacyMFASettings, by actor: User?) async throws {
        try Self.validateLegacy(settings)
        let body = Self.json(settings)
        let now = env.clock.now()
        try await env.transaction { env in
            let old = try await PolicyService(env: env).legacySettings()
            try await env.storage.savePolicyDocument(id: Self.legacyMFAID, body: body, updatedAt: now)
            try await Auditor(env: env).record("Policy", "Update MFA service settings", "Update", actor: actor,
                                               targetType: "Policy", targetID: Self.legacyMFAID, targetName: "Multi-factor authentication service settings",
                                               property: "serviceSettings", old: Self.json(old), new: body)
        }
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
