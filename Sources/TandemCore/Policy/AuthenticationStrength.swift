import Foundation

/// Entra's three built-in authentication strengths (Graph `authenticationStrengthPolicy`, policy
/// type `builtIn`), each a set of allowed method combinations (Graph `authenticationMethodModes`).
/// The raw values are Entra's fixed ids. Decision 0025.
public enum AuthenticationStrength: String, Sendable, Codable, CaseIterable {
    /// "Multifactor authentication".
    case mfa = "00000000-0000-0000-0000-000000000002"
    /// "Passwordless MFA".
    case passwordlessMFA = "00000000-0000-0000-0000-000000000003"
    /// "Phishing-resistant MFA".
    case phishingResistantMFA = "00000000-0000-0000-0000-000000000004"

    public var id: String { rawValue }

    /// Entra's display name.
    public var displayName: String {
        switch self {
        case .mfa: "Multifactor authentication"
        case .passwordlessMFA: "Passwordless MFA"
        case .phishingResistantMFA: "Phishing-resistant MFA"
        }
    }

    /// Entra's description.
    public var description: String {
        switch self {
        case .mfa: "Combinations of methods that satisfy strong authentication, such as a password + SMS"
        case .passwordlessMFA: "Passwordless methods that satisfy strong authentication, such as Passwordless sign-in with the Microsoft Authenticator"
        case .phishingResistantMFA: "Phishing-resistant, Passwordless methods for the strongest authentication, such as a FIDO2 security key"
        }
    }

    /// The allowed combinations, as Entra lists them (Tandem produces only some of these modes;
    /// the others are listed so the Graph resource reads like Entra's).
    public var allowedCombinations: [String] {
        switch self {
        case .phishingResistantMFA:
            ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor"]
        case .passwordlessMFA:
            ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush"]
        case .mfa:
            ["windowsHelloForBusiness", "fido2", "x509CertificateMultiFactor", "deviceBasedPush",
             "temporaryAccessPassOneTime", "temporaryAccessPassMultiUse",
             "password,microsoftAuthenticatorPush", "password,softwareOath", "password,hardwareOath",
             "password,sms", "password,voice", "federatedMultiFactor",
             "microsoftAuthenticatorPush,federatedSingleFactor", "softwareOath,federatedSingleFactor",
             "hardwareOath,federatedSingleFactor", "sms,federatedSingleFactor", "voice,federatedSingleFactor"]
        }
    }

    /// The Graph method combination (`authenticationMethodModes`, comma-joined) of a finished
    /// sign-in, from its RFC 8176 methods (the `amr` that `SignInFlow.complete` and CIBA issue):
    ///
    /// | amr | combination |
    /// |---|---|
    /// | `pwd` | `password` |
    /// | `mfa pwd swk` (password, then a push with the number) | `password,microsoftAuthenticatorPush` |
    /// | `mfa otp pwd` (password, then a verification code) | `password,softwareOath` |
    /// | `mfa pin swk` (phone sign-in, CIBA) | `deviceBasedPush` |
    /// | `mfa tap` | `temporaryAccessPassOneTime` |
    /// | `mfa hwk user`, `mfa swk user` (a passkey the authenticator verified the person for) | `fido2` |
    ///
    /// Anything else (a passkey without user verification, an unknown mix) is `nil`: no strength.
    public static func combination(amr: [String]) -> String? {
        let m = Set(amr)
        if m.contains("tap") { return m.contains("mfa") ? "temporaryAccessPassOneTime" : nil }
        if m.contains("pwd") {
            if m.contains("otp") { return "password,softwareOath" }
            if m.contains("mfa") && m.contains("swk") { return "password,microsoftAuthenticatorPush" }
            return m.subtracting(["pwd"]).isEmpty ? "password" : nil
        }
        if m.contains("pin") { return m.contains("mfa") && m.contains("swk") ? "deviceBasedPush" : nil }
        if m.contains("mfa"), m.contains("user"), m.contains("hwk") || m.contains("swk"), m.isSubset(of: ["mfa", "user", "hwk", "swk"]) {
            return "fido2"
        }
        return nil
    }

    /// THE evaluation: whether a sign-in with these RFC 8176 methods satisfies this strength — its
    /// combination is one of the allowed ones. Fail closed: an unknown combination satisfies none.
    public func isSatisfied(by amr: [String]) -> Bool {
        guard let combination = Self.combination(amr: amr) else { return false }
        return allowedCombinations.contains(combination)
    }

    /// The strengths a sign-in satisfies, weakest first.
    public static func satisfied(by amr: [String]) -> [AuthenticationStrength] {
        allCases.filter { $0.isSatisfied(by: amr) }
    }

    /// The strongest strength the sign-in satisfies (the built-ins nest: phishing-resistant ⊂
    /// passwordless ⊂ MFA), `nil` for none.
    public static func strongest(satisfiedBy amr: [String]) -> AuthenticationStrength? {
        satisfied(by: amr).last
    }

    /// Whether the sign-in used a key held in hardware that cannot be copied off it (a device-bound
    /// passkey, `hwk`): the extra condition of OpenID EAP ACR's `phrh`.
    public static func isHardwareBound(_ amr: [String]) -> Bool {
        amr.contains("hwk") && combination(amr: amr) == "fido2"
    }
}
