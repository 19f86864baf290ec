import Foundation

/// Why an event was refused by a sign-in flow. Network input never traps: it gets one of these.
public enum FlowRejection: String, Error, Sendable, Equatable {
    /// The flow is finished (completed or cancelled).
    case finished
    /// The event doesn't apply on this page (e.g. a code before the password).
    case wrongStage
    /// Completing needs the password first.
    case passwordFirst
    /// Completing needs the verification code first.
    case codeFirst
    /// Completing a push needs the push this flow waits on, approved.
    case pushNotApproved
    /// The flow requires a strength that this way of signing in cannot reach (decision 0027): a
    /// password or pass where only a passkey passes.
    case strengthRequired
    /// The strength interrupt (and the passkey step of system-preferred MFA) completes only with a
    /// passkey used in this flow.
    case passkeyFirst
}

extension SignInFlow {
    /// What a correct password leads to: the sign-in policy's decision (`SignInDecision`).
    public enum AfterPassword: Equatable, Sendable {
        /// Nothing more: a single-factor session (trusted network, remembered browser, or no MFA required).
        case complete
        /// A notification with the number.
        case push
        /// A verification code.
        case code
        /// The registration interrupt: MFA is required and no second factor exists (fail closed).
        case register
        /// Refused before anything is proven: the flow's required strength needs a method the
        /// user has (a passkey) and a password cannot lead to it (decision 0027).
        case passkeyRequired
        /// The passkey, as the strongest second factor (system-preferred MFA, decision 0033).
        case passkey
    }

    /// What the flow's owner must do after an accepted event, in this order: withdraw the push
    /// `withdraw` (with `reason`), send a push of kind `send` (then report it with `pushSent`),
    /// write the flow.
    public struct Effects: Equatable, Sendable {
        public var withdraw: String?
        public var reason: ChallengeReason
        public var send: ChallengeKind?

        public init(withdraw: String? = nil, reason: ChallengeReason = .cancelled, send: ChallengeKind? = nil) {
            self.withdraw = withdraw
            self.reason = reason
            self.send = send
        }
    }

    /// What the owner must do after an event.
    public enum Action: Equatable, Sendable {
        /// The event was accepted: apply the effects, then write the flow.
        case proceed(Effects)
        /// Completed: write the flow (now `done`), then issue a session with these RFC 8176 methods.
        case session(amr: [String])
        /// Completed into the registration interrupt: write the flow, then a registration-only session.
        case registrationOnly
        /// The strength interrupt (decision 0027): the flow is now at `enrol`; write it, no session.
        /// The person adds a passkey and signs in with it in this flow.
        case enrol
        /// The sign-in is finished short of the flow's required strength: write the flow (`done`),
        /// no session (fail closed).
        case strengthNotMet(AuthenticationStrength, amr: [String])
        /// Nothing changed; the event is refused for this reason.
        case reject(FlowRejection)
    }

    // MARK: Events

    /// The password (or a Temporary Access Pass in its place) was right. `next` is what a correct
    /// password leads to (ignored for a pass, which is strong on its own). Accepted on the password
    /// page, and while a phone sign-in request waits (the password page stays reachable).
    public mutating func firstFactor(_ method: AuthenticationMethod, then next: AfterPassword) -> Action {
        guard stage != .done else { return .reject(.finished) }
        guard method == .password || method == .temporaryAccessPass, stage == .password || (stage == .push && pushKind == .passwordless)
        else { return .reject(.wrongStage) }
        guard next != .passkeyRequired else { return .reject(.strengthRequired) }
        let effects = Effects(withdraw: pendingPush, reason: .cancelled, send: method == .password && next == .push ? .mfa : nil)
        clearPush()
        proven = [method]
        passkeyMethods = []
        stage = .password
        if method == .password {
            switch next {
            case .complete: break
            // Owed until it is approved: on the push page with nothing to redeem, completing is
            // refused even if the push is never sent.
            case .push: stage = .push; pushKind = .mfa
            case .code: stage = .code
            case .register: stage = .register
            case .passkey: stage = .passkey
            case .passkeyRequired: break
            }
        }
        return .proceed(effects)
    }

    /// A push of `kind` was sent for this flow (after an effect asked for it, or at the start).
    public mutating func pushSent(_ kind: ChallengeKind, challengeID: String) {
        stage = .push
        self.challengeID = challengeID
        pushKind = kind
        if kind == .passwordless {
            proven = []
            passkeyMethods = []
        }
        choice = nil
    }

    /// "Approve a request on my Authenticator app" (phone sign-in, from the password page) or the
    /// notification instead of the code (after the password, from the code page).
    public mutating func requestPush(_ kind: ChallengeKind) -> Action {
        guard stage != .done else { return .reject(.finished) }
        switch kind {
        case .passwordless:
            guard stage == .password else { return .reject(.wrongStage) }
        case .mfa:
            guard stage == .code || stage == .passkey, passwordVerified else { return .reject(.wrongStage) }
        case .registration:
            return .reject(.wrongStage)
        }
        return .proceed(Effects(send: kind))
    }

    /// "Send another request": the waiting push is withdrawn (superseded) and one of the same kind sent.
    public mutating func resend() -> Action {
        guard stage != .done else { return .reject(.finished) }
        guard stage == .push, let challengeID, let pushKind else { return .reject(.wrongStage) }
        return .proceed(Effects(withdraw: challengeID, reason: .superseded, send: pushKind))
    }

    /// "Use your password instead": the waiting push is withdrawn; back to the password page with
    /// nothing proven.
    public mutating func usePassword() -> Action {
        guard stage != .done else { return .reject(.finished) }
        let effects = Effects(withdraw: pendingPush)
        clearPush()
        proven = []
        passkeyMethods = []
        stage = .password
        return .proceed(effects)
    }

    /// "Use a verification code" on the password page: after the password, a code instead of a notification.
    public mutating func chooseCode() -> Action {
        guard stage != .done else { return .reject(.finished) }
        guard stage == .password else { return .reject(.wrongStage) }
        choice = .code
        return .proceed(Effects())
    }

    /// "I can't use my Authenticator app right now": after the password, the notification is
    /// withdrawn and a code asked for instead. (Whether codes are available is the decision's.)
    public mutating func useCode() -> Action {
        guard stage != .done else { return .reject(.finished) }
        guard passwordVerified, stage == .push || stage == .code || stage == .passkey else { return .reject(.wrongStage) }
        let effects = Effects(withdraw: pendingPush)
        clearPush()
        stage = .code
        choice = .code
        return .proceed(effects)
    }

    /// The verification code after the password was right.
    public mutating func codeVerified() -> Action {
        guard stage != .done else { return .reject(.finished) }
        guard stage == .code, passwordVerified else { return .reject(.wrongStage) }
        if !proven.contains(.verificationCode) { proven.append(.verificationCode) }
        return .proceed(Effects())
    }

    /// A passkey assertion for `userID` was verified: a complete sign-in on its own (the waiting
    /// phone sign-in request, if any, is withdrawn). `amr` names the key (`hwk`/`swk`, `user`).
    public mutating func passkeyVerified(userID: String, amr: [String]) -> Action {
        guard stage != .done else { return .reject(.finished) }
        guard stage == .password || stage == .enrol || (stage == .push && pushKind == .passwordless)
              || (stage == .passkey && passwordVerified && self.userID == userID) else { return .reject(.wrongStage) }
        let effects = Effects(withdraw: pendingPush)
        clearPush()
        self.userID = userID
        proven = [.passkey]
        passkeyMethods = amr
        stage = .password
        return .proceed(effects)
    }

    /// The push that `complete` must redeem first (single use, on the challenge), if any.
    public var pushToRedeem: String? { stage == .push ? challengeID : nil }

    /// The browser asks for its session. `redeemed` is the kind of the push the owner redeemed
    /// (`pushToRedeem`), `nil` when there was none to redeem.
    ///
    /// A sign-in short of `requiredStrength` is never a session (decision 0027): when it reached
    /// MFA and `mayEnrol` (the user has no method for the strength and may add a passkey) it
    /// becomes the strength interrupt (`enrol`), else it is finished without a session.
    public mutating func complete(redeemed: ChallengeKind?, mayEnrol: Bool = false) -> Action {
        let action = finish(redeemed: redeemed)
        guard case .session(let amr) = action, let requiredStrength, !requiredStrength.isSatisfied(by: amr) else { return action }
        if mayEnrol, AuthenticationStrength.mfa.isSatisfied(by: amr), requiredStrength != .mfa {
            stage = .enrol
            proven = []
            passkeyMethods = amr
            return .enrol
        }
        return .strengthNotMet(requiredStrength, amr: amr)
    }

    private mutating func finish(redeemed: ChallengeKind?) -> Action {
        let amr: [String]
        switch stage {
        case .done:
            return .reject(.finished)
        case .enrol, .passkey:
            return .reject(.passkeyFirst)
        case .push:
            guard let redeemed, redeemed == pushKind else { return .reject(.pushNotApproved) }
            if redeemed == .passwordless {
                amr = ["mfa", "pin", "swk"]
            } else {
                guard passwordVerified else { return .reject(.passwordFirst) }
                amr = ["mfa", "pwd", "swk"]
            }
        case .password:
            switch proven {
            case [.temporaryAccessPass]: amr = ["mfa", "tap"]
            case [.password]: amr = ["pwd"]
            case [.passkey]: amr = ["mfa"] + passkeyMethods
            default: return .reject(.passwordFirst)
            }
        case .code:
            guard passwordVerified else { return .reject(.passwordFirst) }
            guard proven.contains(.verificationCode) else { return .reject(.codeFirst) }
            amr = ["mfa", "otp", "pwd"]
        case .register:
            guard passwordVerified else { return .reject(.passwordFirst) }
            stage = .done
            return .registrationOnly
        }
        stage = .done
        return .session(amr: amr)
    }

    /// The sign-in is abandoned: its waiting push is withdrawn and the flow can do nothing more.
    public mutating func cancel() -> Action {
        guard stage != .done else { return .reject(.finished) }
        let effects = Effects(withdraw: pendingPush)
        stage = .done
        return .proceed(effects)
    }

    /// The push still waiting on the phone, if the flow is on the push page.
    private var pendingPush: String? { stage == .push ? challengeID : nil }

    private mutating func clearPush() {
        challengeID = nil
        pushKind = nil
    }
}
