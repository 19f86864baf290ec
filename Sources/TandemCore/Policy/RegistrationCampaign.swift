import Foundation

/// Entra's registration campaign (Graph `registrationEnforcement.authenticationMethodsRegistrationCampaign`
/// on the authentication methods policy, decision 0034): after a successful multi-factor sign-in,
/// a user without the targeted method is asked to set it up ("Keep your account secure"), and may
/// answer "Not now" — the snooze — for `snoozeDurationInDays`; with
/// `enforceRegistrationAfterAllowedSnoozes` the fourth prompt can no longer be snoozed.
public struct RegistrationCampaign: Sendable, Equatable, Codable {
    /// The methods a campaign can target (Graph's `targetedAuthenticationMethod`).
    public enum Method: String, Sendable, Codable, CaseIterable {
        /// The Tandem authenticator (push and number matching).
        case microsoftAuthenticator
        /// A passkey.
        case fido2
    }

    /// Who is asked, and for which method.
    public struct IncludeTarget: Sendable, Equatable, Codable {
        public var targetType: AuthenticatorPolicy.TargetType
        public var id: String
        public var targetedAuthenticationMethod: Method

        public init(targetType: AuthenticatorPolicy.TargetType, id: String, targetedAuthenticationMethod: Method = .microsoftAuthenticator) {
            self.targetType = targetType
            self.id = id
            self.targetedAuthenticationMethod = targetedAuthenticationMethod
        }
    }

    /// Graph `advancedConfigState`; `default` is read as disabled, as Entra documents for this setting.
    public var state: AuthenticatorPolicy.FeatureState
    /// 0–14; 0 asks at every multi-factor sign-in.
    public var snoozeDurationInDays: Int
    /// After this many snoozes the prompt cannot be snoozed any more (when enforced).
    public static let allowedSnoozes = 3
    public var enforceRegistrationAfterAllowedSnoozes: Bool
    public var includeTargets: [IncludeTarget]
    /// Never asked; exclusions win.
    public var excludeTargets: [AuthenticatorPolicy.ExcludeTarget]

    public init(state: AuthenticatorPolicy.FeatureState = .default, snoozeDurationInDays: Int = 1,
                enforceRegistrationAfterAllowedSnoozes: Bool = true,
                includeTargets: [IncludeTarget] = [.init(targetType: .group, id: AuthenticatorPolicy.allUsers)],
                excludeTargets: [AuthenticatorPolicy.ExcludeTarget] = []) {
        self.state = state
        self.snoozeDurationInDays = snoozeDurationInDays
        self.enforceRegistrationAfterAllowedSnoozes = enforceRegistrationAfterAllowedSnoozes
        self.includeTargets = includeTargets
        self.excludeTargets = excludeTargets
    }

    public static let maxTargets = 50
    public static let snoozeDays = 0...14

    /// The user's snoozes so far.
    public struct Snoozes: Sendable, Equatable {
        public var count: Int
        public var lastAt: Date
        public init(count: Int, lastAt: Date) {
            self.count = count
            self.lastAt = lastAt
        }
    }

    /// What the prompt asks for, and whether "Not now" is offered.
    public struct Nudge: Sendable, Equatable {
        public var method: Method
        public var maySnooze: Bool
        public init(method: Method, maySnooze: Bool) {
            self.method = method
            self.maySnooze = maySnooze
        }
    }

    /// The prompt for one multi-factor sign-in, or `nil`. Pure: `registered` is what the user has,
    /// `registrable` what the policy lets them add (no prompt for a method they could not set up),
    /// `snoozes` their snoozes, `signInStartedAt` when this sign-in began (a snooze given during it
    /// ends its prompt even with 0 days).
    public func nudge(for subject: PolicySubject, registered: Set<Method>, registrable: Set<Method>, snoozes: Snoozes?,
                      signInStartedAt: Date, now: Date) -> Nudge? {
        guard state == .enabled else { return nil }
        if excludeTargets.contains(where: { PolicyEvaluator.matches($0.targetType, $0.id, subject) }) { return nil }
        guard let target = includeTargets.first(where: { PolicyEvaluator.matches($0.targetType, $0.id, subject) }) else { return nil }
        let method = target.targetedAuthenticationMethod
        guard !registered.contains(method), registrable.contains(method) else { return nil }
        if let snoozes {
            let until = snoozes.lastAt.addingTimeInterval(Double(snoozeDurationInDays) * 86_400)
            guard now >= until, snoozes.lastAt < signInStartedAt else { return nil }
        }
        let maySnooze = !enforceRegistrationAfterAllowedSnoozes || (snoozes?.count ?? 0) < Self.allowedSnoozes
        return Nudge(method: method, maySnooze: maySnooze)
    }

    /// The most snoozes the store may count (the compare-and-set's bound): `allowedSnoozes` when
    /// enforced, otherwise none.
    public var snoozeLimit: Int? { enforceRegistrationAfterAllowedSnoozes ? Self.allowedSnoozes : nil }
}
