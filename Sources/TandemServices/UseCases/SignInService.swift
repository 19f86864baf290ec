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
    /// `passwordFirst`: the client always sends the password (RADIUS), so no phone sign-in request
    /// is sent at the start.
    public func begin(username rawName: String, context: ChallengeContext, returnTo: String? = nil,
                      browserMethod: String? = nil, previousFlowToken: String? = nil, stepUp: Bool = false,
                      passwordFirst: Bool = false) async throws -> (token: String, flow: SignInFlow) {
        let username = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...256).contains(username.utf8.count) else { throw TandemError(.badRequest, "Enter a valid username.") }
        let token = env.random.identifier(byteCount: 32)
        let now = env.clock.now()
        try await withdrawPrevious(flowToken: previousFlowToken)
        let user = try await env.storage.user(principalName: username)
        let place = await env.locator.locate(context.ipAddress)
        let journal = SignInJournal(env: env)
        let enabled = user?.accountEnabled == true ? user : nil
        let snapshot = try await enabled.asyncMap { try await SignInSnapshot.load($0, env: env) }
        let signInID = try await journal.open(username: username, user: user, context: context, place: place,
                                              policyReason: snapshot?.verdict.reason)
        // Decision 0027: the strength this sign-in must reach, decided once, here.
        let required = try await requiredStrength(for: enabled, returnTo: SignInFlow.safeReturnPath(returnTo))
        var flow = SignInFlow(id: SecretDigest.of(token), username: username, userID: user?.id,
                              createdAt: now, expiresAt: now.addingTimeInterval(env.settings.flowLifetime), signInID: signInID,
                              requiredStrength: required)
        flow.returnTo = SignInFlow.safeReturnPath(returnTo)
        flow.stepUp = stepUp
        if let user = enabled, let snapshot {
            var facts = try await self.facts(snapshot, flow: flow)
            var issueFacts = snapshot.issueFacts
            if passwordFirst {
                // A client that always sends the password (RADIUS): never phone sign-in first.
                facts.phoneSignInAvailable = false
            } else if facts.phoneSignInAvailable {
                facts.lastMethodWasPhone = try await lastMethodWasPhone(user, browserMethod: browserMethod)
                // Read once: the push below checks its pending cap against the same list.
                let pending = try await env.storage.pendingChallenges(userID: user.id)
                issueFacts.pending = pending
                facts.phoneSignInWaitingElsewhere = Self.hasUnansweredPasswordless(pending, now: now)
            }
            if SignInDecision.startsWithPhone(facts), case .proceed = flow.requestPush(.passwordless) {
                do {
                    let challenge = try await challenges.issue(to: user, kind: .passwordless, context: context, signInID: signInID,
                                                               facts: issueFacts)
                    flow.pushSent(.passwordless, challengeID: challenge.id)
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
    /// `passkeyPossible`: the caller can run a passkey ceremony (a browser; RADIUS cannot), so
    /// system-preferred MFA may ask for the passkey after the password (decision 0033).
    public func submitPassword(token: String, password: String, context: ChallengeContext, rememberedBrowser: String? = nil,
                               passkeyPossible: Bool = true) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        let found = try await flow.userID.asyncMap { try await env.storage.user(id: $0) } ?? nil
        let user = found?.accountEnabled == true ? found : nil
        let journal = SignInJournal(env: env)
        let snapshot = try await user.asyncMap { try await SignInSnapshot.load($0, env: env) }
        // Decision 0027: where only a passkey (or phone sign-in) reaches the flow's strength, a
        // password is not even checked.
        if flow.requiredStrength != nil {
            let offer = try await offer(flow, snapshot: snapshot)
            if !offer.password {
                try await journal.step(flow.signInID, method: "Password", succeeded: false,
                                       detail: "Not accepted: the sign-in requires \(offer.strength?.displayName ?? "a stronger method")")
                throw TandemError(.forbidden, Self.strengthNotice(offer) ?? "Sign in with a passkey.")
            }
        }
        // Throttled first (decision 0013): the source address's bucket, then the name's counter.
        let (factor, key) = try await checkFirstFactor(password, flow: flow, user: user, found: found, context: context, snapshot: snapshot)
        guard let factor, let user, let snapshot else {
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
        if factor == .temporaryAccessPass {
            // A Temporary Access Pass is strong on its own: no second factor (as in Entra); it also
            // ends a second-factor lock (decision 0013).
            try await PushProtectionService(env: env).recordPassSuccess(userID: user.id)
            try await journal.step(flow.signInID, method: "Temporary Access Pass", succeeded: true, detail: "Temporary Access Pass accepted")
            try await advance(&flow, flow.firstFactor(.temporaryAccessPass, then: .complete), refused: "Enter your password first.")
            return flow
        }
        try await journal.step(flow.signInID, method: "Password", succeeded: true, detail: "Correct password")
        var facts = try await self.facts(snapshot, flow: flow)
        try await addSystemPreferred(&facts, snapshot: snapshot, passkeyPossible: passkeyPossible)
        if !flow.stepUp {
            facts.trustedNetwork = snapshot.trustedNetwork(context.ipAddress)
            facts.rememberedBrowser = try await isRemembered(user, rememberedBrowser: rememberedBrowser, trusted: facts.trustedNetwork)
        }
        let next = SignInDecision.afterPassword(facts, stepUp: flow.stepUp, choseCode: flow.choice == .code)
        if next == .complete, facts.trustedNetwork || facts.rememberedBrowser {
            logger.info("MFA skipped: \(facts.trustedNetwork ? "trusted IP" : "remembered browser")", metadata: ["tandem.user": "\(user.id)"])
        }
        if next == .register {
            // The registration interrupt: room to set up the first method, never a session.
            flow.expiresAt = env.clock.now().addingTimeInterval(env.settings.flowLifetime)
            try await journal.step(flow.signInID, method: "Registration", succeeded: false,
                                   detail: "MFA is required and the user has no usable second factor: registration interrupt",
                                   outcome: .interrupted)
        }
        try await advance(&flow, flow.firstFactor(.password, then: next), refused: "Enter your password first.",
                          user: user, snapshot: snapshot, context: context)
        return flow
    }

    /// Carries out an accepted event's effects — withdraws the push it replaces, sends the push it
    /// asks for (refusals written to the sign-in log) — then writes the flow with a
    /// compare-and-set. A refused event throws `conflict` with `refused`; a write that lost the
    /// race to another request on the same flow throws `conflict` and changes nothing more.
    func advance(_ flow: inout SignInFlow, _ action: SignInFlow.Action, refused: String,
                 user: User? = nil, snapshot: SignInSnapshot? = nil, context: ChallengeContext? = nil) async throws {
        let effects: SignInFlow.Effects
        switch action {
        case .proceed(let accepted): effects = accepted
        case .reject(.finished): throw TandemError(.conflict, "This sign-in was already completed.")
        case .reject: throw TandemError(.conflict, refused)
        case .session, .registrationOnly, .enrol, .strengthNotMet: effects = .init()
        }
        if let old = effects.withdraw { try await challenges.withdraw(challengeID: old, reason: effects.reason) }
        if let kind = effects.send {
            guard let user, let context else { throw TandemError(.conflict, refused) }
            let challenge = try await issueLogged(to: user, kind: kind, context: context, signInID: flow.signInID, facts: snapshot?.issueFacts)
            flow.pushSent(kind, challengeID: challenge.id)
        }
        try await save(&flow)
    }

    /// Writes the flow if no other request changed it since it was read (compare-and-set).
    func save(_ flow: inout SignInFlow) async throws {
        guard try await env.storage.updateFlow(flow) else {
            logger.notice("sign-in flow changed by a concurrent request", metadata: ["tandem.signin": "\(flow.signInID ?? "-")"])
            throw TandemError(.conflict, "This sign-in changed in another window. Start again.")
        }
        flow.version += 1
    }

    /// The browser is remembered for this user after an earlier MFA sign-in (the cookie's token).
    /// Not looked up when the network is trusted anyway.
    func isRemembered(_ user: User, rememberedBrowser: String?, trusted: Bool) async throws -> Bool {
        guard !trusted, let rememberedBrowser, !rememberedBrowser.isEmpty else { return false }
        return try await env.storage.rememberedBrowser(id: SecretDigest.of(rememberedBrowser), now: env.clock.now()) == user.id
    }

    /// Issues a push and writes a refusal (barred, flooded) to the sign-in log before rethrowing it.
    func issueLogged(to user: User, kind: ChallengeKind, context: ChallengeContext, signInID: String?,
                     facts: ChallengeService.IssueFacts? = nil) async throws -> Challenge {
        do {
            return try await challenges.issue(to: user, kind: kind, context: context, signInID: signInID, facts: facts)
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
        try await advance(&flow, flow.usePassword(), refused: "Start again.")
        return flow
    }

    /// "Send another request": withdraws the current push and sends a new one of the same kind.
    public func resend(token: String, context: ChallengeContext) async throws -> SignInFlow {
        var flow = try await flow(token: token)
        guard flow.stage == .push, let userID = flow.userID, let user = try await env.storage.user(id: userID), user.accountEnabled
        else { throw TandemError(.conflict, "There is no request to send again.") }
        try await advance(&flow, flow.resend(), refused: "There is no request to send again.", user: user, context: context)
        return flow
    }

    /// The flow's status; with `wait` (seconds), first waits (bounded by the request's expiry) for
    /// a pending push to change.
    public func status(token: String, wait: TimeInterval? = nil) async throws -> FlowStatus {
        let flow = try await flow(token: token)
        guard flow.stage == .push, let challengeID = flow.challengeID,
              var challenge = try await challenges.current(id: challengeID)
        else {
            return FlowStatus(stage: flow.stage, username: flow.username)
        }
        if challenge.state == .pending, let wait, wait > 0 {
            let deadline = min(env.clock.now().addingTimeInterval(wait), challenge.expiresAt.addingTimeInterval(0.05))
            await env.events.wait(challengeID: challengeID, until: deadline, on: env.clock)
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
        guard !completed.registrationOnly, !completed.strengthEnrolment else {
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
        /// The strength interrupt (decision 0027): no session; the browser adds a passkey and signs
        /// in with it in the same flow (`/login/enrol`).
        public var strengthEnrolment: Bool = false
    }

    /// `complete`, with the remember-this-browser token and the registration interrupt.
    ///
    /// `browser: false` (RADIUS): the verdict only — no session, no remembered browser, and the
    /// user's last web method is left as it was.
    public func completeSignIn(token: String, browser: Bool = true) async throws -> Completed {
        var flow = try await flow(token: token)
        guard let userID = flow.userID else { throw TandemError(.unauthorized, "Your account or password is incorrect.") }
        // A push is redeemed first, exactly once (a compare-and-set on the challenge).
        let redeemed = try await flow.pushToRedeem.asyncMap { try await challenges.redeem(challengeID: $0).kind }
        let action = flow.complete(redeemed: redeemed, mayEnrol: browser ? try await mayEnrol(flow) : false)
        let methods: [String]
        switch action {
        case .session(let amr): methods = amr
        case .registrationOnly: return try await completeRegistrationInterrupt(&flow)
        case .enrol: return try await openStrengthInterrupt(&flow)
        case .strengthNotMet(let strength, let amr):
            try await save(&flow)
            try await refuseStrength(strength, flow: flow, userID: userID, methods: amr)
        case .reject(.passkeyFirst): throw TandemError(.forbidden, "Add a passkey and sign in with it to continue.")
        case .reject(.finished): throw TandemError(.conflict, "This sign-in was already completed.")
        case .reject(.codeFirst): throw TandemError(.unauthorized, "Enter the code from your Authenticator app first.")
        case .reject(.pushNotApproved): throw TandemError(.conflict, "Nothing to complete.")
        case .reject, .proceed: throw TandemError(.unauthorized, "Enter your password first.")
        }
        // The flow completes once: a second request racing this one loses the compare-and-set.
        try await save(&flow)
        // Decision 0025: a sign-in that does not meet a strength the administrator requires of
        // Tandem's own pages is no session (fail closed); the flow is finished.
        var required = SignInFacts()
        required.requiredStrengths = try await StrengthRequirementService(env: env).required(userID: userID, application: nil)
        if let unmet = SignInDecision.unmetStrength(required, amr: methods) {
            try await refuseStrength(unmet, flow: flow, userID: userID, methods: methods)
        }
        if methods.contains("mfa") {
            // A strong sign-in ends the name's wait or lock (decision 0013).
            try await SignInThrottleService(env: env).reset(key: SignInThrottleService.accountKey(userID: userID, typedName: flow.username))
        }
        let sessionToken = env.random.identifier(byteCount: 32)
        let now = env.clock.now()
        let session = Session(id: browser ? SecretDigest.of(sessionToken) : "", userID: userID, methods: methods,
                              createdAt: now, expiresAt: now.addingTimeInterval(env.settings.sessionLifetime))
        if browser { try await env.storage.insertSession(session) }
        logger.info("signed in", metadata: ["tandem.user": "\(userID)", "tandem.methods": "\(methods.joined(separator: " "))"])
        let phone = methods.contains("pin")
        let passkey = flow.proven == [.passkey]
        env.metrics.signIn(method: phone ? "passwordless" : passkey ? "passkey" : methods.contains("mfa") ? "mfa" : "password", result: "success")
        let lastMethod = phone ? LastMethod.passwordless : LastMethod.password
        if browser { try await env.storage.setLastSignInMethod(userID: userID, method: lastMethod) }
        let record = try await SignInJournal(env: env).finish(flow.signInID, methods.contains("mfa") ? .success : .successSingleFactor,
                                                              strength: .some(AuthenticationStrength.strongest(satisfiedBy: methods)))
        if let record, methods.contains("mfa") {
            // A network the user signed in from with MFA becomes familiar (push suppression).
            try await PushProtectionService(env: env).recordFamiliar(userID: userID, ipAddress: record.ipAddress,
                                                                     place: await env.locator.locate(record.ipAddress))
        }
        var rememberToken: String? = nil
        var rememberDays = 0
        var registrationRequired = false
        if !phone, !passkey {
            // Phone sign-in proves an active authenticator, a passkey is itself a registered strong
            // method, and neither remembers a browser: nothing to read.
            let legacy = try await PolicyService(env: env).legacySettings()
            rememberDays = legacy.rememberMultiFactorDays
            if browser, methods.contains("mfa"), methods.contains("pwd"), legacy.rememberMultiFactorDays > 0 {
                let remember = env.random.identifier(byteCount: 32)
                try await env.storage.insertRememberedBrowser(id: SecretDigest.of(remember), userID: userID,
                                                              expiresAt: now.addingTimeInterval(Double(legacy.rememberMultiFactorDays) * 86_400))
                rememberToken = remember
            }
            if let user = try await env.storage.user(id: userID), user.mfaState != .disabled || methods.contains("tap"),
               try await env.storage.devices(userID: userID).allSatisfy({ $0.state != .active }) {
                registrationRequired = true
            }
        }
        return Completed(sessionToken: browser ? sessionToken : "", session: session, rememberToken: rememberToken,
                         rememberDays: rememberDays, registrationRequired: registrationRequired, returnTo: flow.returnTo,
                         methodCookie: Self.methodCookie(method: lastMethod, userID: userID))
    }

    /// What the person reads when a sign-in falls short of a required strength.
    static func strengthMessage(_ strength: AuthenticationStrength) -> String {
        switch strength {
        case .phishingResistantMFA:
            "Your organization requires a phishing-resistant sign-in (\(strength.displayName)): sign in with a passkey. If you have none, ask your administrator for help."
        case .passwordlessMFA:
            "Your organization requires a passwordless sign-in (\(strength.displayName)): sign in with a passkey or approve a phone sign-in request in your Authenticator app."
        case .mfa:
            "Your organization requires multifactor authentication: sign in with your password and your Authenticator app, or with a passkey."
        }
    }

    /// The registration interrupt's end: a registration-only session (15 minutes at most), the
    /// sign-in log still "interrupted" (50074). No session, no remembered browser, no last method.
    func completeRegistrationInterrupt(_ flow: inout SignInFlow) async throws -> Completed {
        guard let userID = flow.userID else { throw TandemError(.unauthorized, "Enter your password first.") }
        try await save(&flow)
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
