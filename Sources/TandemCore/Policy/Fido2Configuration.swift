import Foundation

/// Graph's `fido2AuthenticationMethodConfiguration` (decision 0025): who may use passkeys, whether
/// they may register their own, and which authenticator models (AAGUIDs) are allowed or blocked.
/// Tandem's default keeps passkeys on for every user, as before this configuration existed.
public struct Fido2Configuration: Sendable, Codable, Equatable {
    public enum State: String, Sendable, Codable, CaseIterable { case enabled, disabled }
    public enum EnforcementType: String, Sendable, Codable, CaseIterable { case allow, block }

    public struct Target: Sendable, Codable, Equatable {
        public var targetType: AuthenticatorPolicy.TargetType
        public var id: String
        public init(targetType: AuthenticatorPolicy.TargetType, id: String) {
            self.targetType = targetType
            self.id = id
        }
    }

    public struct KeyRestrictions: Sendable, Codable, Equatable {
        public var isEnforced: Bool
        public var enforcementType: EnforcementType
        /// Lowercase UUID text.
        public var aaGuids: [String]
        public init(isEnforced: Bool = false, enforcementType: EnforcementType = .block, aaGuids: [String] = []) {
            self.isEnforced = isEnforced
            self.enforcementType = enforcementType
            self.aaGuids = aaGuids
        }
    }

    public var state: State
    public var includeTargets: [Target]
    public var excludeTargets: [Target]
    public var isSelfServiceRegistrationAllowed: Bool
    /// Only a `packed` full attestation chaining to an administrator's root may register
    /// (decision 0037). The API turns it on only on a server that has attestation roots.
    public var isAttestationEnforced: Bool
    public var keyRestrictions: KeyRestrictions

    public init(state: State = .enabled, includeTargets: [Target] = [Target(targetType: .group, id: AuthenticatorPolicy.allUsers)],
                excludeTargets: [Target] = [], isSelfServiceRegistrationAllowed: Bool = true, isAttestationEnforced: Bool = false,
                keyRestrictions: KeyRestrictions = KeyRestrictions()) {
        self.state = state
        self.includeTargets = includeTargets
        self.excludeTargets = excludeTargets
        self.isSelfServiceRegistrationAllowed = isSelfServiceRegistrationAllowed
        self.isAttestationEnforced = isAttestationEnforced
        self.keyRestrictions = keyRestrictions
    }

    public static let `default` = Fido2Configuration()

    /// Whether `subject` may use passkeys at all (sign in with one): enabled, included, not excluded.
    public func allows(_ subject: PolicySubject) -> Bool {
        guard state == .enabled else { return false }
        if excludeTargets.contains(where: { PolicyEvaluator.matches($0.targetType, $0.id, subject) }) { return false }
        return includeTargets.contains { PolicyEvaluator.matches($0.targetType, $0.id, subject) }
    }

    /// Whether `subject` may add a passkey on security info.
    public func allowsRegistration(_ subject: PolicySubject) -> Bool { allows(subject) && isSelfServiceRegistrationAllowed }

    /// Whether the key restrictions let an authenticator with this AAGUID register or sign in.
    public func allowsAAGUID(_ aaguid: String) -> Bool {
        guard keyRestrictions.isEnforced else { return true }
        let listed = keyRestrictions.aaGuids.contains { $0.lowercased() == aaguid.lowercased() }
        return keyRestrictions.enforcementType == .allow ? listed : !listed
    }

    /// What the relying party checks at registration (the attestation roots are the server's, added by the caller).
    public var relyingPartyPolicy: WebAuthnRelyingParty.Policy {
        var policy = WebAuthnRelyingParty.Policy(enforceAttestation: isAttestationEnforced)
        guard keyRestrictions.isEnforced else { return policy }
        let list = Set(keyRestrictions.aaGuids.map { $0.lowercased() })
        if keyRestrictions.enforcementType == .allow {
            policy.allowedAAGUIDs = list.isEmpty ? ["-none-"] : list
        } else {
            policy.blockedAAGUIDs = list
        }
        return policy
    }
}
