import Foundation
import TandemCore
import Testing

/// Every event of the sign-in flow in every state it can be in (issue 11): what it does, what it
/// asks the owner to do, and that a refused event changes nothing.
@Suite("Sign-in flow state machine")
struct SignInFlowStateMachineTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// The states a flow can be in, each reached through events from a new flow.
    enum State: String, CaseIterable, CustomTestStringConvertible {
        case new, phoneWaiting, passwordDone, tapDone, mfaPush, code, codeDone, register, passkeyDone, done
        var testDescription: String { rawValue }

        var flow: SignInFlow {
            var flow = SignInFlow(id: "f", username: "alice", userID: "u", createdAt: SignInFlowStateMachineTests.t0,
                                  expiresAt: SignInFlowStateMachineTests.t0.addingTimeInterval(600))
            switch self {
            case .new: break
            case .phoneWaiting: flow.pushSent(.passwordless, challengeID: "c-phone")
            case .passwordDone: _ = flow.firstFactor(.password, then: .complete)
            case .tapDone: _ = flow.firstFactor(.temporaryAccessPass, then: .push)
            case .mfaPush: _ = flow.firstFactor(.password, then: .push); flow.pushSent(.mfa, challengeID: "c-mfa")
            case .code: _ = flow.firstFactor(.password, then: .code)
            case .codeDone: _ = flow.firstFactor(.password, then: .code); _ = flow.codeVerified()
            case .register: _ = flow.firstFactor(.password, then: .register)
            case .passkeyDone: _ = flow.passkeyVerified(userID: "u", amr: ["hwk", "user"])
            case .done: _ = flow.firstFactor(.password, then: .complete); _ = flow.complete(redeemed: nil)
            }
            return flow
        }
    }

    enum Event: String, CaseIterable, CustomTestStringConvertible {
        case password, passwordThenPush, passwordThenCode, passwordThenRegister, tap, requestPhone, requestNotification, resend,
             usePassword, chooseCode, useCode, codeVerified, passkey, completeNoPush, completeMFAPush, completePhonePush, cancel
        var testDescription: String { rawValue }

        func apply(_ flow: inout SignInFlow) -> SignInFlow.Action {
            switch self {
            case .password: flow.firstFactor(.password, then: .complete)
            case .passwordThenPush: flow.firstFactor(.password, then: .push)
            case .passwordThenCode: flow.firstFactor(.password, then: .code)
            case .passwordThenRegister: flow.firstFactor(.password, then: .register)
            case .tap: flow.firstFactor(.temporaryAccessPass, then: .push)
            case .requestPhone: flow.requestPush(.passwordless)
            case .requestNotification: flow.requestPush(.mfa)
            case .resend: flow.resend()
            case .usePassword: flow.usePassword()
            case .chooseCode: flow.chooseCode()
            case .useCode: flow.useCode()
            case .codeVerified: flow.codeVerified()
            case .passkey: flow.passkeyVerified(userID: "u", amr: ["hwk", "user"])
            case .completeNoPush: flow.complete(redeemed: nil)
            case .completeMFAPush: flow.complete(redeemed: .mfa)
            case .completePhonePush: flow.complete(redeemed: .passwordless)
            case .cancel: flow.cancel()
            }
        }
    }

    typealias Expected = (action: SignInFlow.Action, stage: SignInFlow.Stage, proven: [AuthenticationMethod])

    static func proceed(withdraw: String? = nil, reason: ChallengeReason = .cancelled, send: ChallengeKind? = nil) -> SignInFlow.Action {
        .proceed(.init(withdraw: withdraw, reason: reason, send: send))
    }

    /// The whole table: (state, event) → action and the state after it. A pair not listed is refused
    /// (`wrongStage`, or `finished` once done) and must change nothing.
    static func expected(_ state: State, _ event: Event) -> Expected? {
        switch (state, event) {
        // A first factor: from a new flow and while a phone sign-in request waits (it is withdrawn).
        case (.new, .password), (.phoneWaiting, .password):
            return (proceed(withdraw: state == .phoneWaiting ? "c-phone" : nil), .password, [.password])
        case (.new, .passwordThenPush), (.phoneWaiting, .passwordThenPush):
            return (proceed(withdraw: state == .phoneWaiting ? "c-phone" : nil, send: .mfa), .push, [.password])
        case (.new, .passwordThenCode), (.phoneWaiting, .passwordThenCode):
            return (proceed(withdraw: state == .phoneWaiting ? "c-phone" : nil), .code, [.password])
        case (.new, .passwordThenRegister), (.phoneWaiting, .passwordThenRegister):
            return (proceed(withdraw: state == .phoneWaiting ? "c-phone" : nil), .register, [.password])
        case (.new, .tap), (.phoneWaiting, .tap):
            return (proceed(withdraw: state == .phoneWaiting ? "c-phone" : nil), .password, [.temporaryAccessPass])
        // The password page again after a first factor that needed nothing more.
        case (.passwordDone, .password), (.tapDone, .password), (.passkeyDone, .password):
            return (proceed(), .password, [.password])
        case (.passwordDone, .passwordThenPush), (.tapDone, .passwordThenPush), (.passkeyDone, .passwordThenPush):
            return (proceed(send: .mfa), .push, [.password])
        case (.passwordDone, .passwordThenCode), (.tapDone, .passwordThenCode), (.passkeyDone, .passwordThenCode):
            return (proceed(), .code, [.password])
        case (.passwordDone, .passwordThenRegister), (.tapDone, .passwordThenRegister), (.passkeyDone, .passwordThenRegister):
            return (proceed(), .register, [.password])
        case (.passwordDone, .tap), (.tapDone, .tap), (.passkeyDone, .tap):
            return (proceed(), .password, [.temporaryAccessPass])
        // Phone sign-in from the password page (sent by the owner; `pushSent` moves to the push page).
        case (.new, .requestPhone): return (proceed(send: .passwordless), .password, [])
        case (.passwordDone, .requestPhone): return (proceed(send: .passwordless), .password, [.password])
        case (.tapDone, .requestPhone): return (proceed(send: .passwordless), .password, [.temporaryAccessPass])
        case (.passkeyDone, .requestPhone): return (proceed(send: .passwordless), .password, [.passkey])
        // The notification instead of the code, after the password.
        case (.code, .requestNotification): return (proceed(send: .mfa), .code, [.password])
        case (.codeDone, .requestNotification): return (proceed(send: .mfa), .code, [.password, .verificationCode])
        case (.phoneWaiting, .resend): return (proceed(withdraw: "c-phone", reason: .superseded, send: .passwordless), .push, [])
        case (.mfaPush, .resend): return (proceed(withdraw: "c-mfa", reason: .superseded, send: .mfa), .push, [.password])
        // Back to the password page from anywhere before done.
        case (.phoneWaiting, .usePassword): return (proceed(withdraw: "c-phone"), .password, [])
        case (.mfaPush, .usePassword): return (proceed(withdraw: "c-mfa"), .password, [])
        case (_, .usePassword) where state != .done: return (proceed(), .password, [])
        case (.new, .chooseCode): return (proceed(), .password, [])
        case (.passwordDone, .chooseCode): return (proceed(), .password, [.password])
        case (.tapDone, .chooseCode): return (proceed(), .password, [.temporaryAccessPass])
        case (.passkeyDone, .chooseCode): return (proceed(), .password, [.passkey])
        case (.mfaPush, .useCode): return (proceed(withdraw: "c-mfa"), .code, [.password])
        case (.code, .useCode): return (proceed(), .code, [.password])
        case (.codeDone, .useCode): return (proceed(), .code, [.password, .verificationCode])
        case (.code, .codeVerified), (.codeDone, .codeVerified): return (proceed(), .code, [.password, .verificationCode])
        case (.new, .passkey), (.passwordDone, .passkey), (.tapDone, .passkey), (.passkeyDone, .passkey):
            return (proceed(), .password, [.passkey])
        case (.phoneWaiting, .passkey): return (proceed(withdraw: "c-phone"), .password, [.passkey])
        // Completion: the only ways to a session.
        case (.passwordDone, .completeNoPush), (.passwordDone, .completeMFAPush), (.passwordDone, .completePhonePush):
            return (.session(amr: ["pwd"]), .done, [.password])
        case (.tapDone, .completeNoPush), (.tapDone, .completeMFAPush), (.tapDone, .completePhonePush):
            return (.session(amr: ["mfa", "tap"]), .done, [.temporaryAccessPass])
        case (.passkeyDone, .completeNoPush), (.passkeyDone, .completeMFAPush), (.passkeyDone, .completePhonePush):
            return (.session(amr: ["mfa", "hwk", "user"]), .done, [.passkey])
        case (.phoneWaiting, .completePhonePush): return (.session(amr: ["mfa", "pin", "swk"]), .done, [])
        case (.mfaPush, .completeMFAPush): return (.session(amr: ["mfa", "pwd", "swk"]), .done, [.password])
        case (.codeDone, .completeNoPush), (.codeDone, .completeMFAPush), (.codeDone, .completePhonePush):
            return (.session(amr: ["mfa", "otp", "pwd"]), .done, [.password, .verificationCode])
        case (.register, .completeNoPush), (.register, .completeMFAPush), (.register, .completePhonePush):
            return (.registrationOnly, .done, [.password])
        case (.phoneWaiting, .cancel): return (proceed(withdraw: "c-phone"), .done, [])
        case (.mfaPush, .cancel): return (proceed(withdraw: "c-mfa"), .done, [.password])
        case (_, .cancel) where state != .done: return (proceed(), .done, state.flow.proven)
        default: return nil
        }
    }

    @Test("Every event in every state", arguments: State.allCases, Event.allCases)
    func table(state: State, event: Event) {
        var flow = state.flow
        let before = flow
        let action = event.apply(&flow)
        if let (expectedAction, stage, proven) = Self.expected(state, event) {
            #expect(action == expectedAction)
            #expect(flow.stage == stage)
            #expect(flow.proven == proven)
        } else {
            guard case .reject(let why) = action else {
                Issue.record("\(event) in \(state) was accepted: \(action)")
                return
            }
            if state == .done { #expect(why == .finished) }
            #expect(flow == before, "a refused event changed the flow")
        }
    }

    @Test("A flow completes once: every completion after the first is refused")
    func completesOnce() {
        for state in State.allCases where state != .done {
            var flow = state.flow
            let kinds: [ChallengeKind?] = [nil, .mfa, .passwordless]
            let first = kinds.map { kind -> SignInFlow.Action in var copy = flow; return copy.complete(redeemed: kind) }
            guard let winner = first.firstIndex(where: { if case .reject = $0 { false } else { true } }) else { continue }
            _ = flow.complete(redeemed: kinds[winner])
            for kind in kinds { #expect(flow.complete(redeemed: kind) == .reject(.finished)) }
        }
    }

    @Test("No path to a session skips the second factor the decision asked for")
    func noDowngrade() {
        // After the password, the push or the code is owed: completing without it is refused.
        for next in [SignInFlow.AfterPassword.push, .code, .register] {
            var flow = State.new.flow
            _ = flow.firstFactor(.password, then: next)
            let action = flow.complete(redeemed: nil)
            if next == .register { #expect(action == .registrationOnly) } else { #expect(action.isRejected) }
        }
        // An MFA push sent and redeemed for a phone sign-in kind (a mix-up) is refused.
        var flow = State.mfaPush.flow
        #expect(flow.complete(redeemed: .passwordless) == .reject(.pushNotApproved))
        // "Use your password instead" clears what was proven.
        var back = State.codeDone.flow
        _ = back.usePassword()
        #expect(back.complete(redeemed: nil).isRejected)
    }

    @Test("pushSent moves to the push page; phone sign-in forgets earlier factors")
    func pushSent() {
        var flow = State.passwordDone.flow
        flow.pushSent(.passwordless, challengeID: "c2")
        #expect(flow.stage == .push && flow.proven.isEmpty && flow.pushToRedeem == "c2")
        var mfa = State.code.flow
        mfa.pushSent(.mfa, challengeID: "c3")
        #expect(mfa.stage == .push && mfa.proven == [.password] && mfa.choice == nil && mfa.pushToRedeem == "c3")
    }
}

extension SignInFlow.Action {
    var isRejected: Bool { if case .reject = self { true } else { false } }
}

/// The pure decisions of decision 0010 and 0013.
@Suite("Sign-in decision")
struct SignInDecisionTests {
    @Test("What a correct password leads to")
    func afterPassword() {
        var facts = SignInFacts()
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == .complete)
        facts.mfaRequired = true
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == .register, "fail closed")
        facts.trustedNetwork = true
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == .register, "a trusted network doesn't replace a missing factor")
        facts.notificationAvailable = true
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == .complete)
        #expect(SignInDecision.afterPassword(facts, stepUp: true, choseCode: false) == .push, "a step-up isn't skipped on a trusted network")
        facts.trustedNetwork = false
        facts.rememberedBrowser = true
        #expect(SignInDecision.afterPassword(facts, stepUp: true, choseCode: false) == .push)
        facts.rememberedBrowser = false
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: true) == .push, "no codes: the choice can't apply")
        facts.codesAvailable = true
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: true) == .code)
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == .push)
        facts.prefersCode = true
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == .code)
        facts.notificationAvailable = false
        facts.prefersCode = false
        #expect(SignInDecision.afterPassword(facts, stepUp: false, choseCode: false) == .code)
    }

    @Test("When a new sign-in starts with the phone")
    func startsWithPhone() {
        var facts = SignInFacts()
        facts.hasPassword = true
        facts.lastMethodWasPhone = true
        #expect(!SignInDecision.startsWithPhone(facts), "not available")
        facts.phoneSignInAvailable = true
        #expect(SignInDecision.startsWithPhone(facts))
        facts.phoneSignInWaitingElsewhere = true
        #expect(!SignInDecision.startsWithPhone(facts), "one phone sign-in request at a time")
        facts.phoneSignInWaitingElsewhere = false
        facts.lastMethodWasPhone = false
        #expect(!SignInDecision.startsWithPhone(facts))
        facts.hasPassword = false
        #expect(SignInDecision.startsWithPhone(facts), "nothing else to sign in with")
        facts.hasUsablePass = true
        #expect(!SignInDecision.startsWithPhone(facts))
    }
}
