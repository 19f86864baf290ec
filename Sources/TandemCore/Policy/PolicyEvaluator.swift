/// Who the policy is asked about: the user's id and every group they are in, directly or through
/// nested groups.
public struct PolicySubject: Sendable, Equatable {
    public var userID: String
    public var groupIDs: Set<String>

    public init(userID: String, groupIDs: Set<String>) {
        self.userID = userID
        self.groupIDs = groupIDs
    }
}

/// The policy's answer for one user: what the authenticator may do, and why (for the sign-in log).
public struct AuthenticatorVerdict: Sendable, Equatable {
    /// Push notifications as a second factor.
    public var pushAllowed: Bool
    /// Passwordless phone sign-in.
    public var passwordlessAllowed: Bool
    /// Verification codes (TOTP) from the app.
    public var softwareOathAllowed: Bool
    /// Show the application name in the request.
    public var showApplication: Bool
    /// Show the location in the request.
    public var showLocation: Bool
    public var numberDigits: Int
    public var numberPresentation: AuthenticatorPolicy.NumberPresentation
    /// A sentence for the sign-in log.
    public var reason: String

    /// Whether the authenticator may answer a challenge of this kind.
    public func allows(_ kind: ChallengeKind) -> Bool {
        switch kind {
        case .mfa: pushAllowed
        case .passwordless: passwordlessAllowed
        case .registration: pushAllowed || passwordlessAllowed
        }
    }
}

/// The one pure policy evaluator. Rules, in order:
/// 1. Method disabled → nothing.
/// 2. Excluded (as a user or through any group) → nothing: exclusion beats inclusion.
/// 3. Not in any include target → nothing.
/// 4. Several matching include targets → the union of their modes (`push` + `deviceBasedPush` = `any`):
///    a grant in one target is never taken away by another; only exclusion removes access.
/// Feature settings: `enabled` or `default` (Microsoft-managed, now on) shows the context to the
/// feature's include target minus its exclude target; `disabled` hides it.
public enum PolicyEvaluator {
    public static func evaluate(_ policy: AuthenticatorPolicy, for subject: PolicySubject) -> AuthenticatorVerdict {
        var verdict = AuthenticatorVerdict(pushAllowed: false, passwordlessAllowed: false, softwareOathAllowed: false,
                                           showApplication: false, showLocation: false, numberDigits: policy.numberDigits,
                                           numberPresentation: policy.numberPresentation, reason: "")
        guard policy.state == .enabled else {
            verdict.reason = "Microsoft Authenticator is disabled in the authentication methods policy."
            return verdict
        }
        if let exclusion = policy.excludeTargets.first(where: { matches($0.targetType, $0.id, subject) }) {
            verdict.reason = "The user is excluded from the Microsoft Authenticator policy (\(exclusion.targetType.rawValue) \(exclusion.id))."
            return verdict
        }
        let matching = policy.includeTargets.filter { matches($0.targetType, $0.id, subject) }
        guard !matching.isEmpty else {
            verdict.reason = "The user is not targeted by the Microsoft Authenticator policy."
            return verdict
        }
        let modes = Set(matching.map(\.authenticationMode))
        verdict.pushAllowed = modes.contains(.any) || modes.contains(.push)
        verdict.passwordlessAllowed = modes.contains(.any) || modes.contains(.deviceBasedPush)
        verdict.softwareOathAllowed = policy.isSoftwareOathEnabled
        verdict.showApplication = featureApplies(policy.featureSettings.displayAppInformationRequiredState, subject)
        verdict.showLocation = featureApplies(policy.featureSettings.displayLocationInformationRequiredState, subject)
        let effective: AuthenticatorPolicy.Mode = verdict.pushAllowed && verdict.passwordlessAllowed ? .any : (verdict.pushAllowed ? .push : .deviceBasedPush)
        let targets = matching.map { "\($0.targetType.rawValue) \($0.id) (\($0.authenticationMode.rawValue))" }.joined(separator: ", ")
        verdict.reason = "Microsoft Authenticator allowed in mode \(effective.rawValue) by \(targets)."
        return verdict
    }

    /// Whether the policy's targets cover the subject — included and not excluded — whatever the
    /// policy's state. Covered users must sign in with MFA (decision 0013): disabling the method
    /// takes their second factor away but never makes the password enough.
    public static func covers(_ policy: AuthenticatorPolicy, _ subject: PolicySubject) -> Bool {
        guard !policy.excludeTargets.contains(where: { matches($0.targetType, $0.id, subject) }) else { return false }
        return policy.includeTargets.contains { matches($0.targetType, $0.id, subject) }
    }

    static func matches(_ type: AuthenticatorPolicy.TargetType, _ id: String, _ subject: PolicySubject) -> Bool {
        switch type {
        case .user: return id == subject.userID
        case .group: return id == AuthenticatorPolicy.allUsers || subject.groupIDs.contains(id)
        }
    }

    static func featureApplies(_ feature: AuthenticatorPolicy.Feature, _ subject: PolicySubject) -> Bool {
        guard feature.state != .disabled else { return false }
        if matches(feature.excludeTarget.targetType, feature.excludeTarget.id, subject) { return false }
        return matches(feature.includeTarget.targetType, feature.includeTarget.id, subject)
    }
}
