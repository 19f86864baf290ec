import Foundation
import TandemCore

/// Sign-in with a passkey (decision 0020): "Sign in with a passkey" on the username page and
/// passkey autofill (conditional mediation) in its username field. The browser asks for request
/// options (a discoverable-credential ceremony: no allowCredentials, so no name is probed), signs,
/// and sends the assertion; a verified one is the flow's `passkeyVerified` event, a complete
/// phishing-resistant MFA sign-in (amr `mfa` + `hwk`/`swk` + `user`). The browser then completes
/// the flow like any other (`completeSignIn`).
extension SignInService {
    /// What the browser needs for `navigator.credentials.get()`.
    public struct PasskeyRequestOptions: Codable, Sendable, Equatable {
        public var challengeId: String
        public var challenge: String
        public var rpId: String
        public var timeout: Int
        public var userVerification = "required"
    }

    /// The browser's assertion (binary fields base64url).
    public struct PasskeyAssertion: Codable, Sendable {
        public var challengeId: String
        public var credentialId: String
        public var clientDataJSON: String
        public var authenticatorData: String
        public var signature: String
        public var userHandle: String?
        public init(challengeId: String, credentialId: String, clientDataJSON: String, authenticatorData: String,
                    signature: String, userHandle: String? = nil) {
            self.challengeId = challengeId
            self.credentialId = credentialId
            self.clientDataJSON = clientDataJSON
            self.authenticatorData = authenticatorData
            self.signature = signature
            self.userHandle = userHandle
        }
    }

    /// A new authentication challenge (single use, 5 minutes).
    public func passkeyOptions(publicURL: String) async throws -> PasskeyRequestOptions {
        let passkeys = PasskeyService(env: env)
        let rp = try passkeys.relyingParty(publicURL)
        let challenge = try await passkeys.issueChallenge(userID: nil, purpose: .authentication)
        return PasskeyRequestOptions(challengeId: challenge.id, challenge: challenge.challenge, rpId: rp.id,
                                     timeout: Int(PasskeyService.challengeLifetime * 1000))
    }

    /// Verifies the assertion and signs its user in: the browser's flow (`flowToken`) when it is
    /// that user's and waiting for a first factor, else a new flow. Returns the flow's cookie
    /// token; the browser goes on to `/login/complete`. Every refusal reads the same to the
    /// browser; the sign-in log and the server log say which check failed.
    /// `returnTo` (a local path) is where a new flow's sign-in goes (an OIDC authorization request).
    public func signInWithPasskey(_ assertion: PasskeyAssertion, flowToken: String?, context: ChallengeContext,
                                  publicURL: String, returnTo: String? = nil) async throws -> (token: String, flow: SignInFlow) {
        let refused = TandemError(.unauthorized, "That passkey didn't work. Try again or sign in another way.")
        let throttle = SignInThrottleService(env: env)
        guard try await throttle.takeAddressToken(context.ipAddress) else {
            throw TandemError(.tooManyRequests, ThrottleRefusal.address.message)
        }
        let passkeys = PasskeyService(env: env)
        let challenge = try await passkeys.takeChallenge(id: assertion.challengeId, purpose: .authentication, userID: nil)
        guard let clientData = Base64URL.decode(assertion.clientDataJSON), let authenticatorData = Base64URL.decode(assertion.authenticatorData),
              let signature = Base64URL.decode(assertion.signature)
        else { throw TandemError(.badRequest, "clientDataJSON, authenticatorData and signature must be base64url.") }
        guard let passkey = try await env.storage.passkey(credentialID: assertion.credentialId),
              let user = try await env.storage.user(id: passkey.userID), user.accountEnabled else {
            logger.notice("passkey sign-in with an unknown credential")
            throw refused
        }
        let journal = SignInJournal(env: env)
        var flow = try await flowForPasskey(user: user, flowToken: flowToken, context: context, returnTo: returnTo)
        if let handle = assertion.userHandle, !handle.isEmpty {
            guard let bytes = Base64URL.decode(handle), ConstantTime.equals(bytes, Array(user.id.utf8)) else {
                try await journal.step(flow.flow.signInID, method: "Passkey (FIDO2)", succeeded: false, detail: "The user handle is not the passkey's user")
                throw refused
            }
        }
        // The Fido2 method configuration (decision 0025): passkeys on for this user, this model allowed.
        guard try await Fido2ConfigurationService(env: env).allowsSignIn(user, aaguid: passkey.aaguid) else {
            logger.notice("passkey sign-in refused by the passkey (FIDO2) policy", metadata: ["tandem.user": "\(user.id)"])
            try await journal.step(flow.flow.signInID, method: "Passkey (FIDO2)", succeeded: false, detail: "The passkey (FIDO2) policy does not allow this passkey",
                                   outcome: .pushFailed("The passkey (FIDO2) policy does not allow this passkey"))
            throw refused
        }
        let verified: WebAuthnRelyingParty.VerifiedAssertion
        do {
            let key = try COSEKey(encoded: Base64URL.decode(passkey.publicKey) ?? [])
            verified = try passkeys.relyingParty(publicURL).verifyAssertion(
                .init(clientDataJSON: clientData, authenticatorData: authenticatorData, signature: signature), challenge: challenge,
                credential: .init(publicKey: key, signCount: UInt32(clamping: passkey.signCount), backupEligible: passkey.backupEligible),
                policy: .init())
        } catch let error as TandemError {
            let reason = WebAuthnRejection(error)
            if reason == .signCountRegressed {
                logger.warning("passkey signature counter regressed", metadata: ["tandem.user": "\(user.id)", "tandem.passkey": "\(passkey.id)"])
            } else {
                logger.notice("passkey assertion refused", metadata: ["tandem.user": "\(user.id)", "tandem.reason": "\(reason?.rawValue ?? "malformed")"])
            }
            try await journal.step(flow.flow.signInID, method: "Passkey (FIDO2)", succeeded: false, detail: reason?.message ?? error.message,
                                   outcome: .pushFailed(reason?.message ?? error.message))
            throw refused
        }
        // The counter moves only from the value just verified: a second assertion racing this one loses.
        guard try await env.storage.recordPasskeyUse(id: passkey.id, expectedSignCount: passkey.signCount,
                                                     signCount: Int64(verified.signCount), backedUp: verified.backedUp, at: env.clock.now()) else {
            throw refused
        }
        try await throttle.refundAddressToken(context.ipAddress)
        try await journal.step(flow.flow.signInID, method: "Passkey (FIDO2)", succeeded: true, detail: "Passkey verified (\(passkey.passkeyType))")
        let amr = [passkey.backupEligible ? "swk" : "hwk"] + (verified.userVerified ? ["user"] : [])
        try await advance(&flow.flow, flow.flow.passkeyVerified(userID: user.id, amr: amr), refused: "Start again.")
        return flow
    }

    /// The browser's flow if it is this user's, else a new flow for the user (no push is sent).
    func flowForPasskey(user: User, flowToken: String?, context: ChallengeContext, returnTo: String?) async throws -> (token: String, flow: SignInFlow) {
        if let flowToken, !flowToken.isEmpty, let existing = try? await self.flow(token: flowToken), existing.userID == user.id {
            // The state machine decides whether this flow takes a passkey now (a probe on a copy).
            var probe = existing
            if case .proceed = probe.passkeyVerified(userID: user.id, amr: []) { return (flowToken, existing) }
        }
        let previous = flowToken.flatMap { $0.isEmpty ? nil : $0 }
        let previousReturn = try? await previous.asyncMap { try await self.flow(token: $0).returnTo } ?? nil
        try await withdrawPrevious(flowToken: previous)
        let token = env.random.identifier(byteCount: 32)
        let now = env.clock.now()
        let place = await env.locator.locate(context.ipAddress)
        let signInID = try await SignInJournal(env: env).open(username: user.userPrincipalName, user: user, context: context, place: place)
        let back = SignInFlow.safeReturnPath(returnTo) ?? SignInFlow.safeReturnPath(previousReturn ?? nil)
        var flow = SignInFlow(id: SecretDigest.of(token), username: user.userPrincipalName, userID: user.id, createdAt: now,
                              expiresAt: now.addingTimeInterval(env.settings.flowLifetime), signInID: signInID,
                              requiredStrength: try await requiredStrength(for: user, returnTo: back))
        flow.returnTo = back
        try await env.storage.insertFlow(flow)
        return (token, flow)
    }
}
