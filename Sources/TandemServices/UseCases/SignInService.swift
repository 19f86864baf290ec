import Foundation
import Logging
import TandemCore

/// What the browser's sign-in page shows and waits on.
public struct FlowStatus: Sendable, Equatable, Codable {
    public var stage: SignInFlow.Stage
    /// `passwordless` or `mfa` while a push is on.
    public var kind: ChallengeKind?
    /// The push's state while on the push stage.
    public var state: ChallengeState?
    public var reason: ChallengeReason?
    /// The number to show in the browser (only to the browser holding the flow).
    public var number: String?
    public var expiresAt: Date?
    public var username: String
}

/// The browser side of sign-in: username, password, push with number matching, session.
public struct SignInService: Sendable {
    let env: ServiceEnvironment
    let challenges: ChallengeService
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.signin")) {
        self.env = env
        self.challenges = ChallengeService(env: env, logger: logger)
        self.logger = logger
    }

    /// Starts a flow for `username`. A user whose last method was phone sign-in (this browser's
    /// `browserMethod` cookie, else the user's), or who has nothing else, gets the number at once;
    /// everyone else — known or not, so the page never tells which names exist — is asked for a
    /// password, with the other ways on that page (decision 0010). `previousFlowToken`, this
    /// browser's earlier flow, has its unanswered request withdrawn.
    /// `returnTo` (a local path, see `SignInFlow.safeReturnPath`) is where the finished sign-in goes.
    ///
    /// `stepUp` (security info, decision 0013): the flow must end in a multi-factor sign-in; a
    /// trusted IP range or a remembered browser doesn't skip the second factor.
    public func begin(username rawName: String, context: ChallengeContext, returnTo: String? = nil,
                      browserMethod: String? = nil, previousFlowToken: String? = nil, stepUp: Bool = false) async throws -> (token: String, flow: SignInFlow) {
        let username = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...256).contains(username.utf8.count) else { throw TandemError(.badRequest, "Enter a valid username.") }
        let token = env.random.identifier(byteCount: 32)
        let now = env.clock.now()
        try await withdrawPrevious(flowToken: previousFlowToken)
        let user = try await env.storage.user(principalName: username)
        let place = await env.locator.locate(context.ipAddress)
        let journal = SignInJournal(env: env)
        let signInID = try await journal.open(username: username, user: user, context: context, place: place)
        var flow = SignInFlow(id: SecretDigest.of(token), username: username, userID: user?.id, stage: .password,
                              createdAt: now, expiresAt: now.addingTimeInterval(env.settings.flowLifetime), signInID: signInID)
        flow.returnTo = SignInFlow.safeReturnPath(returnTo)
        flow.stepUp = stepUp
        if let user, user.accountEnabled {
            let verdict = try await PolicyService(env: env).verdict(for: user)
            try await journal.note(signInID, policyReason: verdict.reason)
            if try await passwordlessAvailable(user, verdict: verdict),
               try await startsPasswordless(user, browserMethod: browserMethod) {
                do {
                    let challenge = try await challenges.issue(to: user, kind: .passwordless, context: context, signInID: signInID)
                    flow.stage = .push
                    flow.challengeID = challenge.id
                } catch let error as TandemError where error.code == .tooManyRequests {
                    // Flooded: no passwordless push this time; the password page is still there.
                    try await journal.step(signInID, method: "Passwordless phone sign-in", succeeded: false, detail: error.message)
                }
            }
        }
        try await env.storage.insertFlow(flow)
        return (token, flow)
    }

    /// The application name the pages and requests show.
    public var applicationName: String { env.settings.applicationName }
    /// How long a flow cookie lives.
    public var flowLifetime: TimeInterval { env.settings.flowLifetime }
    /// How long a session cookie lives.
    public var sessionLifetime: TimeInterval { env.settings.sessionLifetime }

    /// Loads the live flow for a cookie token, or throws `unauthorized`.
    public func flow(token: String) async throws -> SignInFlow {
        guard !token.isEmpty, let flow = try await env.storage.flow(id: SecretDigest.of(token)),
              flow.expiresAt > env.clock.now(), flow.stage != .done
        else { throw TandemError(.unauthorized, "Your sign-in has expired. Start again.") }
        return flow
    }

    /// Checks the password, or a Temporary Access Pass typed in its place (then no second factor).
    /// On success, a user with an authenticator gets an MFA push or the code page
    /// (`secondFactor`); a user without one is ready for a session. Every failure reads the same.
    ///
    /// Whether a push follows: the policy allows push for the user, the legacy "notification through
    /// mobile app" option is on, the user has an active authenticator, the browser's IP is not in a
    /// trusted range, and the browser is not remembered (`rememberedBrowser`, the cookie's token).
    public func submitPassword(token: String, password: String, context: ChallengeContext, rememberedBrowser: String? = nil) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        let found = try await flow.userID.asyncMap { try await env.storage.user(id: $0) } ?? nil
        let user = found?.accountEnabled == true ? found : nil
        let journal = SignInJournal(env: env)
        // Throttled first (decision 0013): the source address's bucket, then the name's counter.
        let (factor, key) = try await checkFirstFactor(password, flow: flow, user: user, found: found, context: context)
        guard let factor, let user else {
            env.metrics.signIn(method: "password", result: "wrongPassword")
            let outcome: SignInJournal.Outcome = found == nil ? .unknownUser : (user == nil ? .disabledUser : .wrongPassword)
            if user != nil { logger.notice("wrong password", metadata: ["tandem.user": "\(found?.id ?? "-")"]) }
            let detail = user?.passwordHash == nil || user == nil ? "Invalid username or password" : "Incorrect password"
            try await journal.step(flow.signInID, method: "Password", succeeded: false, detail: detail, outcome: outcome)
            if try await SignInThrottleService(env: env).recordFailure(key: key, userID: user?.id), user != nil {
                try await journal.step(flow.signInID, method: "Password", succeeded: false,
                                       detail: ThrottleRefusal.locked(env.clock.now()).detail, outcome: .locked)
            }
            throw TandemError(.unauthorized, "Your account or password is incorrect.")
        }
        if let old = flow.challengeID { try await challenges.withdraw(challengeID: old, reason: .cancelled) }
        flow.challengeID = nil
        flow.factors = [factor]
        if factor == "tap" {
            // A Temporary Access Pass is strong on its own: no second factor (as in Entra); it also
            // ends a second-factor lock (decision 0013).
            try await PushProtectionService(env: env).recordPassSuccess(userID: user.id)
            try await journal.step(flow.signInID, method: "Temporary Access Pass", succeeded: true, detail: "Temporary Access Pass accepted")
            flow.passwordVerified = false
            flow.stage = .password
            try await env.storage.updateFlow(flow)
            return flow
        }
        try await journal.step(flow.signInID, method: "Password", succeeded: true, detail: "Correct password")
        flow.passwordVerified = true
        flow.stage = try await secondFactor(for: user, flow: flow, context: context, rememberedBrowser: rememberedBrowser)
        if flow.stage == .push {
            flow.challengeID = try await issueLogged(to: user, kind: .mfa, context: context, signInID: flow.signInID).id
        }
        if flow.stage == .register {
            // The registration interrupt: room to set up the first method, never a session.
            flow.expiresAt = env.clock.now().addingTimeInterval(env.settings.flowLifetime)
            try await journal.step(flow.signInID, method: "Registration", succeeded: false,
                                   detail: "MFA is required and the user has no usable second factor: registration interrupt",
                                   outcome: .interrupted)
        }
        try await env.storage.updateFlow(flow)
        return flow
    }

    /// A notification can be the second factor: the legacy "notification through mobile app"
    /// option is on, the user has an active authenticator, and the policy allows push.
    func pushAvailable(_ user: User) async throws -> Bool {
        let policy = PolicyService(env: env)
        guard try await policy.legacySettings().notificationThroughMobileApp,
              try await env.storage.devices(userID: user.id).contains(where: { $0.mayAnswer(.mfa) }),
              try await policy.verdict(for: user).pushAllowed
        else { return false }
        return true
    }

    /// No second factor this time: the browser's IP is in a trusted range, or the browser is
    /// remembered (`rememberedBrowser`, the cookie's token).
    func mfaSkipped(_ user: User, context: ChallengeContext, rememberedBrowser: String?) async throws -> Bool {
        let legacy = try await PolicyService(env: env).legacySettings()
        if legacy.trustedIPRanges.compactMap(CIDR.init).contains(where: { $0.contains(context.ipAddress) }) {
            logger.info("MFA skipped: trusted IP", metadata: ["tandem.user": "\(user.id)"])
            return true
        }
        if let rememberedBrowser, !rememberedBrowser.isEmpty,
           try await env.storage.rememberedBrowser(id: SecretDigest.of(rememberedBrowser), now: env.clock.now()) == user.id {
            logger.info("MFA skipped: remembered browser", metadata: ["tandem.user": "\(user.id)"])
            return true
        }
        return false
    }

    /// Issues a push and writes a refusal (barred, flooded) to the sign-in log before rethrowing it.
    func issueLogged(to user: User, kind: ChallengeKind, context: ChallengeContext, signInID: String?) async throws -> Challenge {
        do {
            return try await challenges.issue(to: user, kind: kind, context: context, signInID: signInID)
        } catch let error as TandemError where error.code == .locked || error.code == .tooManyRequests {
            let security = try await env.storage.security(userID: user.id)
            let outcome: SignInJournal.Outcome = error.code == .tooManyRequests ? .rateLimited(error.message)
                : (security.pushBlockedUntil != nil ? .blocked : .locked)
            try await SignInJournal(env: env).step(signInID, method: SignInJournal.methodName(kind), succeeded: false, detail: error.message, outcome: outcome)
            throw error
        }
    }

    /// "Use your password instead": withdraws the phone sign-in request and asks for the password.
    public func usePassword(token: String) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        if let old = flow.challengeID { try await challenges.withdraw(challengeID: old, reason: .cancelled) }
        flow.challengeID = nil
        flow.stage = .password
        flow.passwordVerified = false
        try await env.storage.updateFlow(flow)
        return flow
    }

    /// "Send another request": withdraws the current push and sends a new one of the same kind.
    public func resend(token: String, context: ChallengeContext) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        guard flow.stage == .push, let old = flow.challengeID, let userID = flow.userID,
              let previous = try await env.storage.challenge(id: old), let user = try await env.storage.user(id: userID)
        else { throw TandemError(.conflict, "There is no request to send again.") }
        try await challenges.withdraw(challengeID: old, reason: .superseded)
        flow.challengeID = try await issueLogged(to: user, kind: previous.kind, context: context, signInID: flow.signInID).id
        try await env.storage.updateFlow(flow)
        return flow
    }

    /// The flow's status; with `waitUntil`, first waits (bounded) for a pending push to change.
    public func status(token: String, waitUntil: Date? = nil) async throws -> FlowStatus {
        let flow = try await flow(token: token)
        guard flow.stage == .push, let challengeID = flow.challengeID,
              var challenge = try await challenges.current(id: challengeID)
        else {
            return FlowStatus(stage: flow.stage, username: flow.username)
        }
        if challenge.state == .pending, let waitUntil, waitUntil > env.clock.now() {
            await env.events.wait(challengeID: challengeID, until: min(waitUntil, challenge.expiresAt.addingTimeInterval(0.05)))
            challenge = try await challenges.current(id: challengeID) ?? challenge
        }
        return FlowStatus(stage: flow.stage, kind: challenge.kind, state: challenge.state, reason: challenge.reason,
                          number: challenge.state == .pending ? challenge.number : nil,
                          expiresAt: challenge.expiresAt, username: flow.username)
    }

    /// Issues the session: after an approved push (redeemed exactly once), or after a password
    /// when no push is needed. Returns the session cookie's token.
    public func complete(token: String) async throws -> (token: String, session: Session) {
        let completed = try await completeSignIn(token: token)
        guard !completed.registrationOnly else {
            throw TandemError(.forbidden, "Set up a sign-in method first: your organization needs more information to keep your account secure.")
        }
        return (completed.sessionToken, completed.session)
    }

    /// What a finished sign-in hands the browser.
    public struct Completed: Sendable {
        public var sessionToken: String
        public var session: Session
        /// Set when the MFA should be remembered on this browser (legacy setting), for that many days.
        public var rememberToken: String?
        public var rememberDays: Int
        /// The user must register a method before going on (per-user MFA on, nothing registered).
        public var registrationRequired: Bool
        /// The registration interrupt (decision 0013): `sessionToken` is a registration-only
        /// session that no page but security info's "add the first method" accepts.
        public var registrationOnly: Bool = false
        /// Where the browser goes now (an OIDC authorization request), when the flow was given one.
        public var returnTo: String? = nil
        /// The browser's "last method" cookie (`methodCookie(method:userID:)`), so this browser
        /// starts the same way next time.
        public var methodCookie: String? = nil
    }

    /// `complete`, with the remember-this-browser token and the registration interrupt.
    public func completeSignIn(token: String) async throws -> Completed {
        var flow = try await flow(token: token)
        guard let userID = flow.userID else { throw TandemError(.unauthorized, "Your account or password is incorrect.") }
        let methods: [String]
        switch flow.stage {
        case .push:
            guard let challengeID = flow.challengeID else { throw TandemError(.conflict, "Nothing to complete.") }
            let challenge = try await challenges.redeem(challengeID: challengeID)
            methods = challenge.kind == .passwordless ? ["mfa", "pin", "swk"] : ["mfa", "pwd", "swk"]
        case .password:
            if flow.factors.contains("tap") {
                methods = ["mfa", "tap"]
            } else {
                guard flow.passwordVerified else { throw TandemError(.unauthorized, "Enter your password first.") }
                methods = ["pwd"]
            }
        case .register:
            return try await completeRegistrationInterrupt(flow)
        case .code:
            guard flow.passwordVerified, flow.factors.contains("otp") else {
                throw TandemError(.unauthorized, "Enter the code from your Authenticator app first.")
            }
            methods = ["mfa", "otp", "pwd"]
        case .done:
            throw TandemError(.conflict, "This sign-in was already completed.")
        }
        flow.stage = .done
        try await env.storage.updateFlow(flow)
        if methods.contains("mfa") {
            // A strong sign-in ends the name's wait or lock (decision 0013).
            try await SignInThrottleService(env: env).reset(key: SignInThrottleService.accountKey(userID: userID, typedName: flow.username))
        }
        let sessionToken = env.random.identifier(byteCount: 32)
        let now = env.clock.now()
        let session = Session(id: SecretDigest.of(sessionToken), userID: userID, methods: methods,
                              createdAt: now, expiresAt: now.addingTimeInterval(env.settings.sessionLifetime))
        try await env.storage.insertSession(session)
        logger.info("signed in", metadata: ["tandem.user": "\(userID)", "tandem.methods": "\(methods.joined(separator: " "))"])
        env.metrics.signIn(method: methods.contains("pin") ? "passwordless" : methods.contains("mfa") ? "mfa" : "password", result: "success")
        let lastMethod = methods.contains("pin") ? LastMethod.passwordless : LastMethod.password
        try await env.storage.setLastSignInMethod(userID: userID, method: lastMethod)
        try await SignInJournal(env: env).finish(flow.signInID, methods.contains("mfa") ? .success : .successSingleFactor)
        if let signInID = flow.signInID, let record = try await env.storage.signIn(id: signInID), methods.contains("mfa") {
            // A network the user signed in from with MFA becomes familiar (push suppression).
            try await PushProtectionService(env: env).recordFamiliar(userID: userID, ipAddress: record.ipAddress,
                                                                     place: await env.locator.locate(record.ipAddress))
        }
        let legacy = try await PolicyService(env: env).legacySettings()
        var rememberToken: String? = nil
        if methods.contains("mfa"), methods.contains("pwd"), legacy.rememberMultiFactorDays > 0 {
            let remember = env.random.identifier(byteCount: 32)
            try await env.storage.insertRememberedBrowser(id: SecretDigest.of(remember), userID: userID,
                                                          expiresAt: now.addingTimeInterval(Double(legacy.rememberMultiFactorDays) * 86_400))
            rememberToken = remember
        }
        var registrationRequired = false
        if let user = try await env.storage.user(id: userID), user.mfaState != .disabled || methods.contains("tap"),
           try await env.storage.devices(userID: userID).allSatisfy({ $0.state != .active }) {
            registrationRequired = true
        }
        return Completed(sessionToken: sessionToken, session: session, rememberToken: rememberToken,
                         rememberDays: legacy.rememberMultiFactorDays, registrationRequired: registrationRequired, returnTo: flow.returnTo,
                         methodCookie: Self.methodCookie(method: lastMethod, userID: userID))
    }

    /// The registration interrupt's end: a registration-only session (15 minutes at most), the
    /// sign-in log still "interrupted" (50074). No session, no remembered browser, no last method.
    func completeRegistrationInterrupt(_ flow: SignInFlow) async throws -> Completed {
        guard let userID = flow.userID, flow.passwordVerified else { throw TandemError(.unauthorized, "Enter your password first.") }
        var done = flow
        done.stage = .done
        try await env.storage.updateFlow(done)
        let token = env.random.identifier(byteCount: 32)
        let now = env.clock.now()
        try await env.storage.insertSession(Session(id: Self.registrationSessionID(token), userID: userID, methods: ["pwd"],
                                                    createdAt: now, expiresAt: now.addingTimeInterval(min(env.settings.flowLifetime, 900))))
        logger.info("registration interrupt", metadata: ["tandem.user": "\(userID)"])
        return Completed(sessionToken: token, session: Session(id: "", userID: userID, methods: ["pwd"], createdAt: now, expiresAt: now),
                         rememberToken: nil, rememberDays: 0, registrationRequired: true, registrationOnly: true)
    }

    /// The user of a live session, or `nil`.
    public func user(sessionToken: String) async throws -> (User, Session)? {
        guard !sessionToken.isEmpty, let session = try await env.storage.session(id: SecretDigest.of(sessionToken)),
              session.expiresAt > env.clock.now(),
              let user = try await env.storage.user(id: session.userID), user.accountEnabled
        else { return nil }
        return (user, session)
    }

    /// Ends a session.
    public func signOut(sessionToken: String) async throws {
        try await env.storage.deleteSession(id: SecretDigest.of(sessionToken))
    }

}

extension Optional {
    /// `map` with an async transform.
    public func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        switch self {
        case .some(let value): return try await transform(value)
        case .none: return nil
        }
    }
}
