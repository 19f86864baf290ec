import Foundation
import TandemCore
import Testing

/// Decision 0025: Entra's three built-in strengths over the methods a sign-in used. Every sign-in
/// the flow state machine can finish is driven through its events, and its `amr` evaluated.
@Suite struct AuthenticationStrengthTests {
    /// A flow of one user, on the password page.
    static func flow() -> SignInFlow {
        SignInFlow(id: "f", username: "ada@example.com", userID: "u1", createdAt: Date(timeIntervalSince1970: 0),
                   expiresAt: Date(timeIntervalSince1970: 600))
    }

    /// The amr of each way the state machine can finish a sign-in.
    static func amr(_ way: String) -> [String] {
        var f = flow()
        switch way {
        case "password":
            _ = f.firstFactor(.password, then: .complete)
            guard case .session(let amr) = f.complete(redeemed: nil) else { return [] }
            return amr
        case "password+push":
            _ = f.firstFactor(.password, then: .push)
            f.pushSent(.mfa, challengeID: "c")
            guard case .session(let amr) = f.complete(redeemed: .mfa) else { return [] }
            return amr
        case "password+code":
            _ = f.firstFactor(.password, then: .code)
            _ = f.codeVerified()
            guard case .session(let amr) = f.complete(redeemed: nil) else { return [] }
            return amr
        case "phone sign-in":
            f.pushSent(.passwordless, challengeID: "c")
            guard case .session(let amr) = f.complete(redeemed: .passwordless) else { return [] }
            return amr
        case "temporary access pass":
            _ = f.firstFactor(.temporaryAccessPass, then: .complete)
            guard case .session(let amr) = f.complete(redeemed: nil) else { return [] }
            return amr
        case "device-bound passkey":
            _ = f.passkeyVerified(userID: "u1", amr: ["hwk", "user"])
            guard case .session(let amr) = f.complete(redeemed: nil) else { return [] }
            return amr
        case "synced passkey":
            _ = f.passkeyVerified(userID: "u1", amr: ["swk", "user"])
            guard case .session(let amr) = f.complete(redeemed: nil) else { return [] }
            return amr
        case "passkey without user verification":
            _ = f.passkeyVerified(userID: "u1", amr: ["hwk"])
            guard case .session(let amr) = f.complete(redeemed: nil) else { return [] }
            return amr
        default:
            return []
        }
    }

    // way, Graph combination, MFA, Passwordless MFA, Phishing-resistant MFA, phrh (hardware)
    @Test(arguments: [
        ("password", "password", false, false, false, false),
        ("password+push", "password,microsoftAuthenticatorPush", true, false, false, false),
        ("password+code", "password,softwareOath", true, false, false, false),
        ("phone sign-in", "deviceBasedPush", true, true, false, false),
        ("temporary access pass", "temporaryAccessPassOneTime", true, false, false, false),
        ("device-bound passkey", "fido2", true, true, true, true),
        ("synced passkey", "fido2", true, true, true, false),
        ("passkey without user verification", nil, false, false, false, false),
    ] as [(String, String?, Bool, Bool, Bool, Bool)])
    func eachWayOfSigningInSatisfiesTheStrengthsEntraListsForIt(_ way: String, _ combination: String?, _ mfa: Bool, _ passwordless: Bool,
                                                                 _ phishingResistant: Bool, _ hardware: Bool) {
        let amr = Self.amr(way)
        #expect(!amr.isEmpty, "\(way): the state machine finished the sign-in")
        #expect(AuthenticationStrength.combination(amr: amr) == combination, "\(way): \(amr)")
        #expect(AuthenticationStrength.mfa.isSatisfied(by: amr) == mfa, "\(way): MFA")
        #expect(AuthenticationStrength.passwordlessMFA.isSatisfied(by: amr) == passwordless, "\(way): Passwordless MFA")
        #expect(AuthenticationStrength.phishingResistantMFA.isSatisfied(by: amr) == phishingResistant, "\(way): Phishing-resistant MFA")
        #expect(AuthenticationStrength.isHardwareBound(amr) == hardware, "\(way): hardware-bound")
    }

    @Test(arguments: [
        [], ["mfa"], ["user"], ["swk"], ["hwk", "user"], ["mfa", "pwd"], ["mfa", "pin"], ["pin", "swk"], ["tap"],
        ["mfa", "hwk", "user", "pwd", "x"], ["mfa", "hwk", "user", "sms"], ["pwd", "sms"], ["mfa", "swk"],
    ] as [[String]])
    func anUnknownOrIncompleteMixOfMethodsSatisfiesNoStrength(_ amr: [String]) {
        #expect(AuthenticationStrength.satisfied(by: amr).isEmpty, "\(amr)")
        #expect(AuthenticationStrength.strongest(satisfiedBy: amr) == nil)
    }

    @Test func theBuiltInsNestAndCarryEntrasIDs() {
        #expect(AuthenticationStrength.allCases.map(\.id) == [
            "00000000-0000-0000-0000-000000000002", "00000000-0000-0000-0000-000000000003", "00000000-0000-0000-0000-000000000004"])
        let mfa = Set(AuthenticationStrength.mfa.allowedCombinations)
        let passwordless = Set(AuthenticationStrength.passwordlessMFA.allowedCombinations)
        let phr = Set(AuthenticationStrength.phishingResistantMFA.allowedCombinations)
        #expect(phr.isStrictSubset(of: passwordless) && passwordless.isStrictSubset(of: mfa))
        #expect(!mfa.contains("password") && !passwordless.contains("password,microsoftAuthenticatorPush"))
        #expect(AuthenticationStrength.strongest(satisfiedBy: ["mfa", "hwk", "user"]) == .phishingResistantMFA)
        #expect(AuthenticationStrength.strongest(satisfiedBy: ["mfa", "pin", "swk"]) == .passwordlessMFA)
        #expect(AuthenticationStrength.strongest(satisfiedBy: ["mfa", "pwd", "swk"]) == .mfa)
    }
}
