/// The Microsoft Authenticator authentication-methods policy, as data (Graph's
/// `microsoftAuthenticatorAuthenticationMethodConfiguration`), plus Tandem's own settings.
public struct AuthenticatorPolicy: Sendable, Equatable, Codable {
    /// `enabled` or `disabled` (Graph `authenticationMethodState`).
    public enum State: String, Sendable, Codable, CaseIterable { case enabled, disabled }

    /// Who a target names.
    public enum TargetType: String, Sendable, Codable, CaseIterable { case user, group }

    /// What a targeted user may do with the authenticator (Graph `microsoftAuthenticatorAuthenticationMode`).
    public enum Mode: String, Sendable, Codable, CaseIterable {
        /// Push MFA and passwordless phone sign-in.
        case any
        /// Push notifications as a second factor only.
        case push
        /// Passwordless phone sign-in only.
        case deviceBasedPush
    }

    /// Graph `advancedConfigState`.
    public enum FeatureState: String, Sendable, Codable, CaseIterable { case `default`, enabled, disabled }

    /// How the number is matched on the phone (a Tandem setting).
    public enum NumberPresentation: String, Sendable, Codable, CaseIterable {
        /// The user types the number shown in the browser (Entra's number matching).
        case typed
        /// The phone shows three numbers and the user picks the one in the browser (the original passwordless UI).
        case chooseFromThree
    }

    /// An included target with its mode.
    public struct IncludeTarget: Sendable, Equatable, Codable {
        public var targetType: TargetType
        /// A user or group id, or `all_users`.
        public var id: String
        public var isRegistrationRequired: Bool
        public var authenticationMode: Mode

        public init(targetType: TargetType, id: String, isRegistrationRequired: Bool = false, authenticationMode: Mode) {
            self.targetType = targetType
            self.id = id
            self.isRegistrationRequired = isRegistrationRequired
            self.authenticationMode = authenticationMode
        }
    }

    /// An excluded target.
    public struct ExcludeTarget: Sendable, Equatable, Codable {
        public var targetType: TargetType
        public var id: String

        public init(targetType: TargetType, id: String) {
            self.targetType = targetType
            self.id = id
        }
    }

    /// A feature's state for one include target and one exclude target (Graph `authenticationMethodFeatureConfiguration`).
    public struct Feature: Sendable, Equatable, Codable {
        public var state: FeatureState
        public var includeTarget: ExcludeTarget
        public var excludeTarget: ExcludeTarget

        public init(state: FeatureState = .default,
                    includeTarget: ExcludeTarget = ExcludeTarget(targetType: .group, id: AuthenticatorPolicy.allUsers),
                    excludeTarget: ExcludeTarget = ExcludeTarget(targetType: .group, id: AuthenticatorPolicy.noOne)) {
            self.state = state
            self.includeTarget = includeTarget
            self.excludeTarget = excludeTarget
        }
    }

    /// Graph `microsoftAuthenticatorFeatureSettings`.
    public struct FeatureSettings: Sendable, Equatable, Codable {
        public var numberMatchingRequiredState: Feature
        public var displayAppInformationRequiredState: Feature
        public var displayLocationInformationRequiredState: Feature
        public var companionAppAllowedState: Feature

        public init(numberMatchingRequiredState: Feature = Feature(state: .enabled), displayAppInformationRequiredState: Feature = Feature(),
                    displayLocationInformationRequiredState: Feature = Feature(), companionAppAllowedState: Feature = Feature()) {
            self.numberMatchingRequiredState = numberMatchingRequiredState
            self.displayAppInformationRequiredState = displayAppInformationRequiredState
            self.displayLocationInformationRequiredState = displayLocationInformationRequiredState
            self.companionAppAllowedState = companionAppAllowedState
        }
    }

    /// The id Graph uses for "every user".
    public static let allUsers = "all_users"
    /// The all-zero id Graph uses for "no one" in a feature's exclude target.
    public static let noOne = "00000000-0000-0000-0000-000000000000"

    public var state: State
    public var includeTargets: [IncludeTarget]
    public var excludeTargets: [ExcludeTarget]
    public var isSoftwareOathEnabled: Bool
    public var featureSettings: FeatureSettings
    /// Digits of the number, 2–8 (Tandem setting; 6+ is the NIST SP 800-63B-4 mode).
    public var numberDigits: Int
    /// Typed number or choose-from-three (Tandem setting).
    public var numberPresentation: NumberPresentation

    public init(state: State = .enabled,
                includeTargets: [IncludeTarget] = [IncludeTarget(targetType: .group, id: AuthenticatorPolicy.allUsers, authenticationMode: .any)],
                excludeTargets: [ExcludeTarget] = [], isSoftwareOathEnabled: Bool = false,
                featureSettings: FeatureSettings = FeatureSettings(), numberDigits: Int = NumberMatch.defaultDigits,
                numberPresentation: NumberPresentation = .typed) {
        self.state = state
        self.includeTargets = includeTargets
        self.excludeTargets = excludeTargets
        self.isSoftwareOathEnabled = isSoftwareOathEnabled
        self.featureSettings = featureSettings
        self.numberDigits = numberDigits
        self.numberPresentation = numberPresentation
    }

    /// Tandem's default: enabled for all users in mode `any`, as a fresh Entra tenant's Authenticator
    /// policy after the 2023 migration (number matching always on).
    public static let `default` = AuthenticatorPolicy()
}
