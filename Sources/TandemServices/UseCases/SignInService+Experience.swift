import Foundation
import TandemCore

/// What the sign-in pages offer for a flow (decision 0010).
public struct SignInOptions: Sendable, Equatable {
    public var username: String
    public var stage: SignInFlow.Stage
    /// "Approve a request on my Authenticator app": the policy and a device allow phone sign-in.
    public var passwordless: Bool
    /// The user has a Temporary Access Pass that works now: the password page asks for it.
    public var temporaryAccessPass: Bool
    /// Verification codes can be used now ("Use a verification code", "I can't use my
    /// Authenticator app right now").
    public var verificationCode: Bool
    /// A notification can be sent as the second factor (the code page's way back).
    public var notification: Bool
    /// The person chose "Use a verification code" on the password page.
    public var choseCode: Bool
    /// The user has an unanswered phone sign-in request from another browser or tab, so this
    /// sign-in did not send a second one (the rule of decision 0010).
    public var waitingElsewhere: Bool
    /// What the flow's required strength lets the pages offer (decision 0027).
    public var offer = SignInOffer()
    /// Why the page offers less than usual, when the flow must reach a strength.
    public var strengthNotice: String? = nil
    /// Where the finished sign-in goes (an OIDC authorization request's continue path, or nil):
    /// the pages name its application ("to continue to Payroll", decision 0032).
    public var returnTo: String? = nil
}

extension SignInService {
    /// How a finished sign-in is remembered: `passwordless` (the phone) or `password` (the
    /// password page, whatever followed it).
    public enum LastMethod {
        public static let passwordless = "passwordless"
        public static let password = "password"
    }

    /// The browser's "last method" cookie value for a user: the method and a tag of the user, so a
    /// browser shared by two people remembers only for the one it names.
    public static func methodCookie(method: String, userID: String) -> String {
        "\(method).\(userTag(userID))"
    }

    static func userTag(_ userID: String) -> String {
        String(SecretDigest.of("last-method|" + userID).prefix(16))
    }

    /// The method a browser cookie remembers for `userID`, if it is about that user.
    static func browserMethod(_ cookie: String?, userID: String) -> String? {
        guard let cookie, let dot = cookie.firstIndex(of: ".") else { return nil }
        let method = String(cookie[..<dot])
        guard [LastMethod.passwordless, LastMethod.password].contains(method),
              ConstantTime.equals(String(cookie[cookie.index(after: dot)...]), userTag(userID)) else { return nil }
        return method
    }

    /// Whether the last method — this browser's if it remembers one for the user, else the
    /// user's — was phone sign-in (decision 0010).
    func lastMethodWasPhone(_ user: User, browserMethod cookie: String?) async throws -> Bool {
        if let fromBrowser = Self.browserMethod(cookie, userID: user.id) { return fromBrowser == LastMethod.passwordless }
        return try await env.storage.lastSignInMethod(userID: user.id) == LastMethod.passwordless
    }

    /// A phone sign-in request of the user still waiting for an answer.
    func hasUnansweredPasswordless(_ user: User) async throws -> Bool {
        Self.hasUnansweredPasswordless(try await env.storage.pendingChallenges(userID: user.id), now: env.clock.now())
    }

    static func hasUnansweredPasswordless(_ pending: [Challenge], now: Date) -> Bool {
        pending.contains { $0.kind == .passwordless && $0.expiresAt > now }
    }

    /// The same browser signs in again: its earlier unanswered request is withdrawn (superseded).
    func withdrawPrevious(flowToken: String?) async throws {
        guard let flowToken, !flowToken.isEmpty, let previous = try await env.storage.flow(id: SecretDigest.of(flowToken)),
              previous.stage == .push, let challengeID = previous.challengeID
        else { return }
        try await challenges.withdraw(challengeID: challengeID, reason: .superseded)
    }

    /// What the pages of the flow offer.
    public func options(token: String) async throws -> SignInOptions {
        let flow = try await flow(token: token)
        var options = SignInOptions(username: flow.username, stage: flow.stage, passwordless: false, temporaryAccessPass: false,
                                    verificationCode: false, notification: false, choseCode: flow.choice == .code, waitingElsewhere: false)
        options.returnTo = flow.returnTo
        guard let userID = flow.userID, let user = try await env.storage.user(id: userID), user.accountEnabled else {
            options.offer = try await offer(flow, snapshot: nil)
            options.strengthNotice = Self.strengthNotice(options.offer)
            return options
        }
        let snapshot = try await SignInSnapshot.load(user, env: env)
        let offer = try await offer(flow, snapshot: snapshot)
        options.offer = offer
        options.strengthNotice = Self.strengthNotice(offer)
        options.passwordless = snapshot.phoneSignInAvailable && offer.phoneSignIn
        options.temporaryAccessPass = snapshot.usablePass != nil && offer.password
        options.verificationCode = snapshot.codesAvailable && offer.password
        options.notification = snapshot.notificationAvailable && offer.password
        if flow.stage == .password, !flow.passwordVerified, options.passwordless {
            options.waitingElsewhere = try await hasUnansweredPasswordless(user)
        }
        return options
    }

    /// The flow's user, enabled, with the snapshot its decisions need; `nil` for an unknown or
    /// disabled name.
    func snapshot(of flow: SignInFlow) async throws -> SignInSnapshot? {
        guard let userID = flow.userID, let user = try await env.storage.user(id: userID), user.accountEnabled else { return nil }
        return try await SignInSnapshot.load(user, env: env)
    }

    /// "Approve a request on my Authenticator app" on the password page: sends a phone sign-in
    /// request (refused when the policy or the devices don't allow it).
    public func usePasswordless(token: String, context: ChallengeContext) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        let refused = "Approving a request in the Authenticator app isn't available for this account. Enter your password."
        guard let snapshot = try await snapshot(of: flow), snapshot.phoneSignInAvailable,
              try await offer(flow, snapshot: snapshot).phoneSignIn else { throw TandemError(.conflict, refused) }
        try await advance(&flow, flow.requestPush(.passwordless), refused: refused, user: snapshot.user, snapshot: snapshot, context: context)
        return flow
    }

    /// "Use a verification code" on the password page: after the password, a code instead of a
    /// notification. Accepted for every name (the page shows the choice to everyone, decision
    /// 0013); after the password it applies only when codes are available.
    public func chooseCode(token: String) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        try await advance(&flow, flow.chooseCode(), refused: "Enter your password first.")
        return flow
    }

    /// "I can't use my Authenticator app right now" while a notification waits after the password:
    /// withdraws it and asks for a verification code.
    public func useCode(token: String) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        let refused = "There is no other way to verify your identity. Contact your administrator."
        guard let snapshot = try await snapshot(of: flow), snapshot.codesAvailable else { throw TandemError(.conflict, refused) }
        try await advance(&flow, flow.useCode(), refused: refused)
        return flow
    }

    /// "Approve a request on my Authenticator app instead" on the code page: sends the notification.
    public func useNotification(token: String, context: ChallengeContext) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        let refused = "A notification can't be sent for this account."
        guard let snapshot = try await snapshot(of: flow), snapshot.notificationAvailable else { throw TandemError(.conflict, refused) }
        try await advance(&flow, flow.requestPush(.mfa), refused: refused, user: snapshot.user, snapshot: snapshot, context: context)
        return flow
    }

    /// The verification code after the password. A wrong or reused code counts a failure and
    /// leaves the page asking again.
    /// `context` names the address the code came from (its failures count there); without it, the
    /// address the sign-in started from.
    public func submitCode(token: String, code: String, context: ChallengeContext? = nil) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        guard flow.stage == .code, flow.passwordVerified, let userID = flow.userID, let user = try await env.storage.user(id: userID)
        else { throw TandemError(.conflict, "Enter your password first.") }
        let journal = SignInJournal(env: env)
        // Codes share the name's counter and the address's bucket with passwords (decision 0013).
        let throttle = SignInThrottleService(env: env)
        let key = SignInThrottleService.accountKey(userID: user.id, typedName: flow.username)
        let ip = if let context { context.ipAddress } else { try await env.storage.signIn(id: flow.signInID ?? "")?.ipAddress ?? "unknown" }
        guard try await throttle.takeAddressToken(ip) else { try await refuse(.address, flow: flow, userID: user.id, method: "Verification code") }
        if let refusal = try await throttle.refusal(key: key) { try await refuse(refusal, flow: flow, userID: user.id, method: "Verification code") }
        do {
            try await VerificationCodeService(env: env).verify(code, for: user)
        } catch let error as TandemError {
            if error.code == .unauthorized { try await throttle.recordFailure(key: key, userID: user.id) }
            let detail = error.message == VerificationCodeService.reusedMessage ? "Verification code already used" : "Incorrect verification code"
            let outcome: SignInJournal.Outcome = error.code == .locked ? .locked : .pushFailed(detail)
            try await journal.step(flow.signInID, method: "Verification code", succeeded: false,
                                   detail: error.code == .unauthorized ? detail : error.message, outcome: outcome)
            env.metrics.signIn(method: "otp", result: error.code == .unauthorized ? "wrongCode" : error.code.rawValue)
            throw error
        }
        try await journal.step(flow.signInID, method: "Verification code", succeeded: true, detail: "MFA successfully completed")
        try await throttle.refundAddressToken(ip)
        try await advance(&flow, flow.codeVerified(), refused: "Enter your password first.")
        return flow
    }
}
