/// Entra's system-preferred multifactor authentication (Graph `systemCredentialPreferences` on the
/// authentication methods policy, decision 0033): after the password, the sign-in asks first for
/// the strongest method the user has registered and the policy allows — passkey, then
/// Authenticator push, then a verification code — whatever the user's default method is. The
/// person can still choose another way. Not applying: the user's default method first, as before.
public struct SystemCredentialPreferences: Sendable, Equatable, Codable {
    /// Graph `advancedConfigState`. Tandem reads `default` as disabled (decision 0033): an upgrade
    /// does not change anyone's sign-in until an administrator enables it.
    public var state: AuthenticatorPolicy.FeatureState
    /// Who it applies to (users, groups, `all_users`).
    public var includeTargets: [AuthenticatorPolicy.ExcludeTarget]
    /// Who it never applies to; exclusions win.
    public var excludeTargets: [AuthenticatorPolicy.ExcludeTarget]

    public init(state: AuthenticatorPolicy.FeatureState = .default,
                includeTargets: [AuthenticatorPolicy.ExcludeTarget] = [.init(targetType: .group, id: AuthenticatorPolicy.allUsers)],
                excludeTargets: [AuthenticatorPolicy.ExcludeTarget] = []) {
        self.state = state
        self.includeTargets = includeTargets
        self.excludeTargets = excludeTargets
    }

    /// At most this many targets in each list (Graph allows a handful; a bound keeps documents small).
    public static let maxTargets = 50

    /// Whether the strongest method goes first for `subject`: enabled, included, not excluded.
    public func applies(to subject: PolicySubject) -> Bool {
        guard state == .enabled else { return false }
        if excludeTargets.contains(where: { PolicyEvaluator.matches($0.targetType, $0.id, subject) }) { return false }
        return includeTargets.contains { PolicyEvaluator.matches($0.targetType, $0.id, subject) }
    }
}
