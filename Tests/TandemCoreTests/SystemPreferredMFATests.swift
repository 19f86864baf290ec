import Foundation
import TandemCore
import Testing

/// Decision 0033: system-preferred MFA — after the password the strongest method the user has goes
/// first (passkey, then Authenticator push, then a verification code), whatever the default
/// method; disabled, the default method goes first as before. The person can still choose another.
@Suite("System-preferred MFA")
struct SystemPreferredMFATests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func facts(passkey: Bool, push: Bool, code: Bool, prefersCode: Bool, systemPreferred: Bool) -> SignInFacts {
        var facts = SignInFacts()
        facts.hasPassword = true
        facts.mfaRequired = true
        facts.hasPasskey = passkey
        facts.notificationAvailable = push
        facts.codesAvailable = code
        facts.prefersCode = prefersCode
        facts.systemPreferred = systemPreferred
        return facts
    }

    /// Every combination of registered methods (passkey, push, code), default method (code or
    /// push) and preference state, with what the password leads to.
    static let table: [(passkey: Bool, push: Bool, code: Bool, prefersCode: Bool, enabled: Bool, expected: SignInFlow.AfterPassword)] = {
        var rows: [(Bool, Bool, Bool, Bool, Bool, SignInFlow.AfterPassword)] = []
        for passkey in [false, true] {
            for push in [false, true] {
                for code in [false, true] {
                    for prefersCode in [false, true] {
                        // Enabled: the documented order, whatever the default.
                        let enabled: SignInFlow.AfterPassword = passkey ? .passkey : push ? .push : code ? .code : .register
                        // Disabled: today's rule; a passkey is never asked after the password.
                        let disabled: SignInFlow.AfterPassword = !(push || code) ? .register : (code && (!push || prefersCode)) ? .code : .push
                        rows.append((passkey, push, code, prefersCode, true, enabled))
                        rows.append((passkey, push, code, prefersCode, false, disabled))
                    }
                }
            }
        }
        return rows
    }()

    @Test("After the password: the strongest registered method when enabled, the default when disabled",
          arguments: zip(Self.table.map { [$0.passkey, $0.push, $0.code, $0.prefersCode, $0.enabled] }, Self.table.map(\.expected)))
    func afterPassword(row: [Bool], expected: SignInFlow.AfterPassword) {
        let facts = Self.facts(passkey: row[0], push: row[1], code: row[2], prefersCode: row[3], systemPreferred: row[4])
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == expected)
    }

    @Test("The table covers every combination, both states")
    func tableIsComplete() {
        #expect(Self.table.count == 32)
        #expect(Set(Self.table.map { "\($0.passkey)\($0.push)\($0.code)\($0.prefersCode)\($0.enabled)" }).count == 32)
    }

    @Test("The person's own choice of a code on the password page comes first, enabled or not", arguments: [true, false])
    func choiceWins(enabled: Bool) {
        let facts = Self.facts(passkey: true, push: true, code: true, prefersCode: false, systemPreferred: enabled)
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: true) == .code)
    }

    @Test("A trusted network or remembered browser still skips the second factor; a step-up does not", arguments: [false, true])
    func skips(stepUp: Bool) {
        var facts = Self.facts(passkey: true, push: true, code: false, prefersCode: false, systemPreferred: true)
        facts.rememberedBrowser = true
        #expect(SignInDecision.afterPassword(facts, stepUp: stepUp, choseCode: false) == (stepUp ? .passkey : .complete))
    }

    @Test("A required strength still decides first: a passkey user asked for a phishing-resistant sign-in gets no password")
    func strengthFirst() {
        var facts = Self.facts(passkey: true, push: true, code: true, prefersCode: false, systemPreferred: true)
        facts.requiredStrengths = [.phishingResistantMFA]
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == .passkeyRequired)
    }

    static func flowAtPasskey() -> SignInFlow {
        var flow = SignInFlow(id: "f", username: "alice", userID: "u", createdAt: t0, expiresAt: t0.addingTimeInterval(600))
        #expect(flow.firstFactor(.password, then: .passkey) == .proceed(.init()))
        #expect(flow.stage == .passkey)
        return flow
    }

    @Test("The passkey step: the user's passkey completes it with the passkey's methods")
    func passkeyCompletes() {
        var flow = Self.flowAtPasskey()
        #expect(flow.complete(redeemed: nil) == .reject(.passkeyFirst))
        #expect(flow.stage == .passkey)
        #expect(flow.passkeyVerified(userID: "u", amr: ["hwk", "user"]) == .proceed(.init()))
        #expect(flow.complete(redeemed: nil) == .session(amr: ["mfa", "hwk", "user"]))
    }

    @Test("The passkey step takes no other user's passkey and no password")
    func passkeyStepRefusals() {
        var flow = Self.flowAtPasskey()
        let before = flow
        #expect(flow.passkeyVerified(userID: "someone-else", amr: ["hwk", "user"]) == .reject(.wrongStage))
        #expect(flow.firstFactor(.password, then: .push) == .reject(.wrongStage))
        #expect(flow.codeVerified() == .reject(.wrongStage))
        #expect(flow.resend() == .reject(.wrongStage))
        #expect(flow == before)
    }

    @Test("From the passkey step the person can still choose the notification or a code")
    func otherWays() {
        var push = Self.flowAtPasskey()
        #expect(push.requestPush(.mfa) == .proceed(.init(send: .mfa)))
        push.pushSent(.mfa, challengeID: "c1")
        #expect(push.complete(redeemed: .mfa) == .session(amr: ["mfa", "pwd", "swk"]))

        var code = Self.flowAtPasskey()
        #expect(code.useCode() == .proceed(.init()))
        #expect(code.stage == .code)
        #expect(code.codeVerified() == .proceed(.init()))
        #expect(code.complete(redeemed: nil) == .session(amr: ["mfa", "otp", "pwd"]))
    }

    @Test("The setting applies when enabled to its targets, never to an excluded one, and not in the default state",
          arguments: [
              (AuthenticatorPolicy.FeatureState.enabled, "all_users", "", true),
              (.enabled, "g1", "", true),
              (.enabled, "g2", "", false),
              (.enabled, "all_users", "g1", false),
              (.disabled, "all_users", "", false),
              (.default, "all_users", "", false),
          ])
    func applies(state: AuthenticatorPolicy.FeatureState, include: String, exclude: String, expected: Bool) {
        let p = SystemCredentialPreferences(state: state, includeTargets: [.init(targetType: .group, id: include)],
                                            excludeTargets: exclude.isEmpty ? [] : [.init(targetType: .group, id: exclude)])
        #expect(p.applies(to: PolicySubject(userID: "u", groupIDs: ["g1"])) == expected)
        let byUser = SystemCredentialPreferences(state: .enabled, includeTargets: [.init(targetType: .user, id: "u")])
        #expect(byUser.applies(to: PolicySubject(userID: "u", groupIDs: [])))
    }
}
