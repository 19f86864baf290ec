import Foundation
import TandemCore
import Testing

/// Decision 0027: a flow that must reach a strength offers only the ways that reach it, opens the
/// strength interrupt for a user with no method for it, and never ends in a session short of it.
@Suite("Strength-aware sign-in")
struct StrengthAwareSignInTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func flow(_ strength: AuthenticationStrength?) -> SignInFlow {
        SignInFlow(id: "f", username: "alice", userID: "u", createdAt: t0, expiresAt: t0.addingTimeInterval(600), requiredStrength: strength)
    }

    static func facts(_ strength: AuthenticationStrength?, passkey: Bool = false, mayAdd: Bool = true, phone: Bool = false) -> SignInFacts {
        var facts = SignInFacts()
        facts.hasPassword = true
        facts.notificationAvailable = true
        facts.phoneSignInAvailable = phone
        facts.requiredStrengths = strength.map { [$0] } ?? []
        facts.hasPasskey = passkey
        facts.mayAddPasskey = mayAdd
        return facts
    }

    @Test("The offer: only the ways that reach the strength, the interrupt's ways, or none", arguments: [
        // (strength, passkey, may add, phone) → (password, passkey, phone, enrol, blocked)
        (nil as AuthenticationStrength?, false, true, false, [true, true, true, false, false]),
        (.mfa, false, true, false, [true, true, true, false, false]),
        (.phishingResistantMFA, true, true, true, [false, true, false, false, false]),
        (.phishingResistantMFA, false, true, true, [true, true, true, true, false]),
        (.phishingResistantMFA, false, false, false, [false, false, false, false, true]),
        (.passwordlessMFA, false, true, true, [false, false, true, false, false]),
        (.passwordlessMFA, true, true, false, [false, true, false, false, false]),
        (.passwordlessMFA, false, true, false, [true, true, true, true, false]),
    ])
    func offer(strength: AuthenticationStrength?, passkey: Bool, mayAdd: Bool, phone: Bool, expected: [Bool]) {
        let offer = SignInDecision.offer(Self.facts(strength, passkey: passkey, mayAdd: mayAdd, phone: phone))
        #expect([offer.password, offer.passkey, offer.phoneSignIn, offer.enrol, offer.blocked] == expected)
    }

    @Test("A password where only a passkey passes is refused by the decision and the state machine alike")
    func passwordRefused() {
        let facts = Self.facts(.phishingResistantMFA, passkey: true)
        let next = SignInDecision.afterPassword(facts, stepUp: false, choseCode: false)
        #expect(next == .passkeyRequired)
        var flow = Self.flow(.phishingResistantMFA)
        let before = flow
        #expect(flow.firstFactor(.password, then: next) == .reject(.strengthRequired))
        #expect(flow.firstFactor(.temporaryAccessPass, then: next) == .reject(.strengthRequired))
        #expect(flow == before)
    }

    @Test("The interrupt never skips MFA: a remembered browser or trusted network still gets the push")
    func interruptNeedsMFA() {
        var facts = Self.facts(.phishingResistantMFA)
        facts.rememberedBrowser = true
        facts.trustedNetwork = true
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == .push)
    }

    @Test("Password + push short of phishing-resistant opens the interrupt; only the new passkey completes it")
    func interrupt() {
        var flow = Self.flow(.phishingResistantMFA)
        _ = flow.firstFactor(.password, then: .push)
        flow.pushSent(.mfa, challengeID: "c")
        #expect(flow.complete(redeemed: .mfa, mayEnrol: true) == .enrol)
        #expect(flow.stage == .enrol && flow.passkeyMethods == ["mfa", "pwd", "swk"] && flow.proven.isEmpty)
        // Completing again (a direct post) is refused and changes nothing.
        let waiting = flow
        #expect(flow.complete(redeemed: nil, mayEnrol: true) == .reject(.passkeyFirst))
        #expect(flow.complete(redeemed: .mfa, mayEnrol: true) == .reject(.passkeyFirst))
        #expect(flow == waiting)
        // Nor can a password or a push move it.
        #expect(flow.firstFactor(.password, then: .complete) == .reject(.wrongStage))
        #expect(flow.requestPush(.passwordless) == .reject(.wrongStage))
        #expect(flow == waiting)
        // The passkey, then the session with its methods.
        guard case .proceed = flow.passkeyVerified(userID: "u", amr: ["hwk", "user"]) else { Issue.record("passkey refused"); return }
        #expect(flow.complete(redeemed: nil, mayEnrol: true) == .session(amr: ["mfa", "hwk", "user"]))
    }

    @Test("Short of the strength without the interrupt: finished, no session", arguments: [false, true])
    func notMet(mayEnrol: Bool) {
        // A password alone never opens the interrupt (not MFA), whatever the user may add.
        var flow = Self.flow(.phishingResistantMFA)
        _ = flow.firstFactor(.password, then: .complete)
        #expect(flow.complete(redeemed: nil, mayEnrol: mayEnrol) == .strengthNotMet(.phishingResistantMFA, amr: ["pwd"]))
        #expect(flow.stage == .done)
        #expect(flow.complete(redeemed: nil, mayEnrol: mayEnrol) == .reject(.finished))
    }

    @Test("A user who has a passkey but signs in with push is refused, not sent to add another")
    func noInterruptWithAPasskey() {
        var flow = Self.flow(.phishingResistantMFA)
        _ = flow.firstFactor(.password, then: .push)
        flow.pushSent(.mfa, challengeID: "c")
        #expect(flow.complete(redeemed: .mfa, mayEnrol: false) == .strengthNotMet(.phishingResistantMFA, amr: ["mfa", "pwd", "swk"]))
    }

    @Test("The required strength is the strongest policy's and the weakest acceptable acr")
    func strongestRequired() {
        var facts = SignInFacts()
        facts.requiredStrengths = [.mfa, .phishingResistantMFA, .passwordlessMFA]
        #expect(SignInDecision.requiredStrength(facts) == .phishingResistantMFA)
        #expect(SignInDecision.requiredStrength(SignInFacts()) == nil)
    }
}
