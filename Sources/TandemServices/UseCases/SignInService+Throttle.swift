import Foundation
import TandemCore

/// What the password page checks, throttled and with the same work for every name (decision 0013).
extension SignInService {
    /// Checks the typed password, or a Temporary Access Pass typed in its place, after the source
    /// address's bucket and the name's counter. Every name — unknown, disabled, with or without a
    /// password or a pass — costs exactly two bcrypt verifications: the password (or a decoy) and
    /// the pass (or a decoy). While the name waits or is locked the password is not accepted, but
    /// an administrator's pass still is (that is how a locked user gets back in). Throws
    /// `tooManyRequests` for a refused attempt (logged with 50053); returns the factor (`pwd`,
    /// `tap`) or `nil` for a wrong secret (the caller counts it), and the name's counter key.
    func checkFirstFactor(_ typed: String, flow: SignInFlow, user: User?, found: User?, context: ChallengeContext,
                          snapshot: SignInSnapshot?) async throws -> (factor: AuthenticationMethod?, key: String) {
        let throttle = SignInThrottleService(env: env)
        let key = SignInThrottleService.accountKey(userID: found?.id, typedName: flow.username)
        guard try await throttle.takeAddressToken(context.ipAddress) else {
            try await refuse(.address, flow: flow, userID: found?.id)
        }
        let refusal = try await throttle.refusal(key: key)
        let passwordRight: Bool
        if let hash = user?.passwordHash {
            passwordRight = await env.passwords.verify(typed, against: hash)
        } else {
            await env.passwords.verifyDecoy(typed)
            passwordRight = false
        }
        let pass = await matchingPass(typed, usable: snapshot?.usablePass)
        var factor: AuthenticationMethod? = nil
        if passwordRight, refusal == nil {
            factor = .password
        } else if let pass, let user, try await spend(pass, of: user) {
            factor = .temporaryAccessPass
        }
        if let refusal, factor == nil { try await refuse(refusal, flow: flow, userID: found?.id) }
        if factor != nil {
            try await throttle.refundAddressToken(context.ipAddress)
            try await throttle.reset(key: key)
        }
        return (factor, key)
    }

    /// The user's usable pass if `typed` is it. Exactly one bcrypt verification (a decoy when the
    /// user has no usable pass, or the text can't be one).
    func matchingPass(_ typed: String, usable: TemporaryAccessPass?) async -> TemporaryAccessPass? {
        let candidate = typed.trimmingCharacters(in: .whitespaces)
        guard let pass = usable, TemporaryAccessPassService.lengthRange.contains(candidate.count) else {
            await env.passwords.verifyDecoy(candidate)
            return nil
        }
        return await env.passwords.verify(candidate, against: pass.passHash) ? pass : nil
    }

    /// Uses a pass that matched: a one-time pass is spent with a compare-and-set.
    func spend(_ pass: TemporaryAccessPass, of user: User) async throws -> Bool {
        // Decision 0036: the method configuration turned off, or not for this user: no sign-in with it.
        guard try await TemporaryAccessPassConfigurationService(env: env).allows(user) else {
            logger.notice("temporary access pass refused by the method configuration", metadata: ["tandem.user": "\(user.id)"])
            return false
        }
        if pass.isUsableOnce, !(try await env.storage.useTemporaryAccessPass(id: pass.id, at: env.clock.now())) { return false }
        logger.info("temporary access pass used", metadata: ["tandem.user": "\(user.id)", "tandem.pass": "\(pass.id)"])
        return true
    }

    /// Writes a refused attempt to the sign-in log (50053) and throws what the page says.
    func refuse(_ refusal: ThrottleRefusal, flow: SignInFlow, userID: String?, method: String = "Password") async throws -> Never {
        try await SignInJournal(env: env).step(flow.signInID, method: method, succeeded: false, detail: refusal.detail,
                                               outcome: .throttled(refusal.detail))
        env.metrics.signIn(method: method == "Password" ? "password" : "otp", result: "throttled")
        logger.notice("sign-in attempt throttled", metadata: ["tandem.user": "\(userID ?? "-")", "tandem.reason": "\(refusal.detail)"])
        throw TandemError(.tooManyRequests, refusal.message)
    }

    /// Whether MFA is required for the user (decision 0013): per-user MFA is on, or the
    /// authentication-methods policy's targets cover the user (whatever its state), or the user
    /// has an active authenticator (a sign-in never ends weaker than the methods the user has).
    /// Such a user with no usable second factor gets the registration interrupt, never a session.
    public func mfaRequired(_ user: User) async throws -> Bool {
        try await SignInSnapshot.load(user, env: env).mfaRequired
    }

    /// The store id of a registration-interrupt session: a different digest from a session's, so
    /// nothing that looks up sessions (pages, OpenID Connect, admin) ever finds it — it can only
    /// register the first method on security info (decision 0013).
    static func registrationSessionID(_ token: String) -> String { SecretDigest.of("registration-only|" + token) }

    /// Whether the user has a second factor that works now (a notification or a code).
    public func hasUsableSecondFactor(_ user: User) async throws -> Bool {
        let snapshot = try await SignInSnapshot.load(user, env: env)
        return snapshot.notificationAvailable || snapshot.codesAvailable
    }

    /// The user of a registration-interrupt session, if `sessionToken` is one.
    public func registrationUser(sessionToken: String) async throws -> (User, Session)? {
        guard !sessionToken.isEmpty, let session = try await env.storage.session(id: Self.registrationSessionID(sessionToken)),
              session.expiresAt > env.clock.now(), let user = try await env.storage.user(id: session.userID), user.accountEnabled
        else { return nil }
        return (user, session)
    }

    /// Ends the registration interrupt (the method is set up): the browser signs in again with it.
    public func endRegistration(sessionToken: String) async throws {
        try await env.storage.deleteSession(id: Self.registrationSessionID(sessionToken))
    }
}
