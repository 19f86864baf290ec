import Foundation
import TandemCore

/// Strength-aware sign-in (decision 0027): the strength a flow must reach is decided once, when
/// it starts — the administrator's conditional-access policies for the user and the application
/// the sign-in returns to, and that OIDC request's `acr_values` — and kept on the flow. The pages
/// offer only the ways that reach it (`SignInDecision.offer`); a user with no method for it goes
/// through the strength interrupt (an MFA sign-in, then add a passkey and use it in this flow).
extension SignInService {
    /// The path an OIDC authorization request waits on (`OIDCApplicationContext.continuePath`).
    static let authorizationContinuePath = "/oauth2/authorize/continue"

    /// The strongest strength a sign-in for `user` (`nil`: an unknown or disabled name) returning
    /// to `returnTo` must reach: each applying policy must hold (the strongest wins, the built-ins
    /// nest) and one of the request's `acr_values` (any of them: the weakest counts).
    func requiredStrength(for user: User?, returnTo: String?) async throws -> AuthenticationStrength? {
        let request = try await authorizationRequest(returnTo: returnTo)
        var required: [AuthenticationStrength] = []
        if let user {
            required += try await StrengthRequirementService(env: env).required(for: user, application: request?.clientID)
        }
        if let wanted = request?.acrValues, !wanted.isEmpty {
            let strengths = wanted.map(OIDCAssurance.strength(for:))
            // An `acr` any sign-in reaches (urn:tandem:acr:pwd) asks for nothing.
            if !strengths.contains(where: { $0 == nil }) {
                if let weakest = strengths.compactMap({ $0 }).min(by: { SignInDecision.rank($0) < SignInDecision.rank($1) }) {
                    required.append(weakest)
                }
            }
        }
        var facts = SignInFacts()
        facts.requiredStrengths = required
        return SignInDecision.requiredStrength(facts)
    }

    /// The OIDC authorization request a sign-in returns to, if it is one and still waiting.
    func authorizationRequest(returnTo: String?) async throws -> OIDCAuthorizationRequest? {
        guard let returnTo, let components = URLComponents(string: returnTo), components.path == Self.authorizationContinuePath,
              let handle = components.queryItems?.first(where: { $0.name == "request" })?.value, !handle.isEmpty,
              let request = try await env.storage.authorizationRequest(id: SecretDigest.of(handle)), request.expiresAt > env.clock.now()
        else { return nil }
        return request
    }

    /// The decision's facts for a flow: the snapshot's, with the flow's required strength and, only
    /// when that strength needs one, whether the user has a passkey and may add one.
    func facts(_ snapshot: SignInSnapshot, flow: SignInFlow) async throws -> SignInFacts {
        var facts = snapshot.facts
        guard let strength = flow.requiredStrength else { return facts }
        facts.requiredStrengths = [strength]
        if strength != .mfa {
            let fido = Fido2ConfigurationService(env: env)
            var hasPasskey = false
            for passkey in try await env.storage.passkeys(userID: snapshot.user.id) where try await fido.allowsSignIn(snapshot.user, aaguid: passkey.aaguid) {
                hasPasskey = true
                break
            }
            facts.hasPasskey = hasPasskey
            if !hasPasskey { facts.mayAddPasskey = try await PasskeyService(env: env).mayRegister(snapshot.user) }
        }
        return facts
    }

    /// The offer for a flow (the pages' choices): an unknown name is offered what a user with a
    /// method for the strength is, so the page does not tell which names exist.
    func offer(_ flow: SignInFlow, snapshot: SignInSnapshot?) async throws -> SignInOffer {
        guard let strength = flow.requiredStrength else { return SignInOffer() }
        guard let snapshot else {
            var facts = SignInFacts()
            facts.requiredStrengths = [strength]
            facts.hasPasskey = true
            return SignInDecision.offer(facts)
        }
        return SignInDecision.offer(try await facts(snapshot, flow: flow))
    }

    /// Why a password is not taken for this flow, when the page offers none (decision 0027): what
    /// the sign-in needs, for the refusal (decision 0033). `nil` when a password is offered. Reads
    /// only; an unknown or expired flow throws.
    public func passwordRefusal(token: String) async throws -> String? {
        let flow = try await flow(token: token)
        guard flow.requiredStrength != nil else { return nil }
        let offer = try await offer(flow, snapshot: try await snapshot(of: flow))
        return offer.password ? nil : (Self.strengthNotice(offer) ?? Self.strengthMessage(offer.strength ?? .phishingResistantMFA))
    }

    /// What the person reads on the sign-in page when the flow must reach a strength.
    public static func strengthNotice(_ offer: SignInOffer) -> String? {
        guard let strength = offer.strength, strength != .mfa else { return nil }
        let what = strength == .phishingResistantMFA ? "a passkey" : "a passkey or a phone sign-in request in your Authenticator app"
        if offer.blocked {
            let none = strength == .phishingResistantMFA ? "You have no passkey" : "You have neither a passkey nor phone sign-in set up"
            return "This application requires \(what) to sign in. \(none), and you can't add a passkey yourself: ask your administrator to set one up for you (or for a Temporary Access Pass to add one)."
        }
        if offer.enrol {
            return "Your organization requires \(what) to access this resource. You don't have one yet: sign in with your password and your Authenticator app (or a Temporary Access Pass), then you'll add a passkey."
        }
        return "Your organization requires \(what) to access this resource."
    }

    /// Whether the flow's user may add a passkey during the strength interrupt, with the proof to
    /// check it by: the interrupt's MFA sign-in, within the step-up window (decision 0020).
    public func enrolment(token: String) async throws -> (user: User, proof: Session, flow: SignInFlow) {
        let flow = try await flow(token: token)
        guard flow.stage == .enrol, let userID = flow.userID, let user = try await env.storage.user(id: userID), user.accountEnabled else {
            throw TandemError(.forbidden, "There is no passkey to add for this sign-in.")
        }
        // The interrupt's window starts when it opened (`expiresAt` was set to the window's end).
        let opened = flow.expiresAt.addingTimeInterval(-Self.enrolmentWindow)
        let proof = Session(id: "", userID: userID, methods: flow.passkeyMethods, createdAt: opened, expiresAt: flow.expiresAt)
        return (user, proof, flow)
    }

    /// How long the strength interrupt stays open: the 5 minutes after an MFA sign-in in which a
    /// passkey may be added (decision 0020), a little more to use it.
    static let enrolmentWindow: TimeInterval = 300
}

extension SignInService {
    /// Whether a sign-in of this flow that falls short of its strength opens the strength
    /// interrupt: the strength needs a passkey (or phone sign-in), the user has no passkey the
    /// policy accepts, and may add one.
    func mayEnrol(_ flow: SignInFlow) async throws -> Bool {
        guard let strength = flow.requiredStrength, strength != .mfa, let userID = flow.userID,
              let user = try await env.storage.user(id: userID), user.accountEnabled else { return false }
        let fido = Fido2ConfigurationService(env: env)
        for passkey in try await env.storage.passkeys(userID: userID) where try await fido.allowsSignIn(user, aaguid: passkey.aaguid) {
            return false
        }
        return try await PasskeyService(env: env).mayRegister(user)
    }

    /// The strength interrupt opens: the flow waits at `enrol` for the step-up window, the sign-in
    /// log says why (50074, interrupted), and nothing is issued.
    func openStrengthInterrupt(_ flow: inout SignInFlow) async throws -> Completed {
        guard let userID = flow.userID else { throw TandemError(.unauthorized, "Enter your password first.") }
        let now = env.clock.now()
        flow.expiresAt = now.addingTimeInterval(Self.enrolmentWindow)
        try await save(&flow)
        try await SignInJournal(env: env).step(flow.signInID, method: "Registration", succeeded: false,
                                               detail: "\(flow.requiredStrength?.displayName ?? "A stronger sign-in") is required and the user has no method for it: add a passkey, then sign in with it",
                                               outcome: .interrupted)
        logger.info("strength interrupt: passkey registration", metadata: ["tandem.user": "\(userID)"])
        return Completed(sessionToken: "", session: Session(id: "", userID: userID, methods: [], createdAt: now, expiresAt: now),
                         rememberToken: nil, rememberDays: 0, registrationRequired: false, returnTo: flow.returnTo, strengthEnrolment: true)
    }

    /// A finished sign-in short of a required strength: the sign-in log's 53003, the metric, and
    /// a 403 that says what to use. Never returns.
    func refuseStrength(_ unmet: AuthenticationStrength, flow: SignInFlow, userID: String, methods: [String]) async throws -> Never {
        try await SignInJournal(env: env).finish(flow.signInID, .strengthRequired(unmet.displayName), strength: .some(AuthenticationStrength.strongest(satisfiedBy: methods)))
        env.metrics.signIn(method: methods.contains("pin") ? "passwordless" : flow.proven == [.passkey] ? "passkey" : methods.contains("mfa") ? "mfa" : "password",
                           result: "strength_required")
        logger.notice("sign-in refused: required authentication strength not met",
                      metadata: ["tandem.user": "\(userID)", "tandem.strength": "\(unmet.displayName)"])
        throw TandemError(.forbidden, Self.strengthMessage(unmet))
    }
}
