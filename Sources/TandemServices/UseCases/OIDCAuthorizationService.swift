import Foundation
import Logging
import TandemCore

/// The authorization endpoint (RFC 6749 §4.1, RFC 7636, OIDC Core §3.1.2) and RP-initiated
/// logout. The sign-in itself is Tandem's own flow: the request waits in the store while the
/// browser signs in, then the code goes to the client's exact redirect URI.
public struct OIDCAuthorizationService: Sendable {
    let oidc: OIDCEnvironment
    let logger: Logger

    public init(oidc: OIDCEnvironment, logger: Logger = Logger(label: "tandem.oidc")) {
        self.oidc = oidc
        self.logger = logger
    }

    /// Where the browser goes next.
    public enum Outcome: Sendable, Equatable {
        /// To the client's redirect URI, with a code or an error.
        case redirect(String)
        /// To Tandem's sign-in, which comes back to `/oauth2/authorize/continue?request=<handle>`;
        /// `application` is the client's name, for the push's context.
        case signIn(handle: String, loginHint: String?, application: String)
        /// To the consent screen: the signed-in `user` must allow `application` the `scopes`
        /// (OIDC Core §3.1.2.4); the answer comes back to `consent(handle:sessionToken:allow:)`.
        case consent(handle: String, application: String, scopes: [String], user: String)
    }

    /// A problem that must not be sent to the redirect URI (unknown client, unregistered redirect
    /// URI, an expired request): shown to the person instead (RFC 6749 §4.1.2.1).
    public struct PageError: Error, Sendable, Equatable {
        public var message: String
        public init(_ message: String) { self.message = message }
    }

    static let promptValues: Set<String> = ["none", "login", "consent", "select_account"]

    /// Checks an authorization request and either answers at once (a live session that is
    /// fresh enough, or `prompt=none`) or sends the browser to sign in. `repeated` names the
    /// parameters that appeared more than once.
    public func authorize(_ params: [String: String], repeated: Set<String>, sessionToken: String?) async throws -> Outcome {
        guard !repeated.contains("client_id"), let clientID = params["client_id"], !clientID.isEmpty,
              let client = try await oidc.storage.oidcClient(clientID: clientID)
        else { throw PageError("The application is not registered with Tandem (unknown client_id).") }
        guard !repeated.contains("redirect_uri"), let redirectURI = params["redirect_uri"], client.redirectURIs.contains(redirectURI) else {
            throw PageError("The redirect_uri is not registered for \(client.displayName); it must match exactly.")
        }
        let state = repeated.contains("state") ? nil : params["state"]
        func fail(_ code: OAuthError.Code, _ message: String) -> Outcome {
            .redirect(Self.errorRedirect(redirectURI, code: code, message: message, state: state, issuer: oidc.issuer()))
        }
        if let name = repeated.sorted().first { return fail(.invalidRequest, "\(name) must not be repeated.") }
        if params["request"] != nil { return fail(.requestNotSupported, "Request objects are not supported.") }
        if params["request_uri"] != nil { return fail(.requestURINotSupported, "request_uri is not supported.") }
        guard let responseType = params["response_type"] else { return fail(.invalidRequest, "response_type is required.") }
        guard responseType == "code" else { return fail(.unsupportedResponseType, "Only response_type=code is supported.") }
        if let mode = params["response_mode"], mode != "query" { return fail(.invalidRequest, "Only response_mode=query is supported.") }
        guard client.allows(.authorizationCode) else { return fail(.unauthorizedClient, "This client may not use the authorization code grant.") }
        let requestedScopes = OIDCTokenService.scopes(params["scope"] ?? "")
        guard !requestedScopes.isEmpty else { return fail(.invalidScope, "scope is required (openid, profile, email, offline_access).") }
        if let unknown = requestedScopes.first(where: { !OIDCTokenIssuer.supportedScopes.contains($0) }) {
            return fail(.invalidScope, "Unknown scope \(unknown).")
        }
        // tandem-admin only for an application an administrator enabled for it; removed otherwise
        // (the token's scope shows it is missing).
        let scopes = OIDCConsentService.grantable(requestedScopes, for: client)
        guard !scopes.isEmpty else { return fail(.invalidScope, "The scope \(OIDCTokenIssuer.adminScope) is not available to this application.") }
        let challenge = params["code_challenge"]
        let method = params["code_challenge_method"]
        if let challenge {
            guard (method ?? "plain") == "S256" else { return fail(.invalidRequest, "code_challenge_method must be S256.") }
            guard challenge.utf8.count == 43, Base64URL.decode(challenge)?.count == 32 else {
                return fail(.invalidRequest, "code_challenge must be the base64url SHA-256 of the verifier.")
            }
        } else {
            if client.isPublic { return fail(.invalidRequest, "PKCE is required for public clients: send code_challenge with S256.") }
            if method != nil { return fail(.invalidRequest, "code_challenge_method without code_challenge.") }
        }
        let prompt = Set((params["prompt"] ?? "").split(separator: " ").map(String.init))
        guard prompt.isSubset(of: Self.promptValues) else { return fail(.invalidRequest, "Unknown prompt value.") }
        if prompt.contains("none") && prompt.count > 1 { return fail(.invalidRequest, "prompt=none cannot be combined with other values.") }
        var maxAge: Int? = nil
        if let text = params["max_age"] {
            guard let value = Int(text), value >= 0 else { return fail(.invalidRequest, "max_age must be a non-negative integer.") }
            maxAge = value
        }
        for (name, limit) in [("state", 2048), ("nonce", 512), ("login_hint", 256), ("acr_values", 1024)] where (params[name]?.utf8.count ?? 0) > limit {
            return fail(.invalidRequest, "\(name) is too long.")
        }
        // acr_values (Core §3.1.2.1): values Tandem does not know are ignored; the known ones are enforced.
        let acrValues = (params["acr_values"] ?? "").split(separator: " ").map(String.init).filter(OIDCAssurance.isKnown)
        let handle = oidc.env.random.identifier(byteCount: 32)
        let now = oidc.now
        let request = OIDCAuthorizationRequest(
            id: SecretDigest.of(handle), clientID: client.clientID, redirectURI: redirectURI, scopes: scopes, state: state,
            nonce: params["nonce"], codeChallenge: challenge, codeChallengeMethod: challenge == nil ? nil : "S256",
            prompt: prompt.sorted(), maxAge: maxAge, loginHint: params["login_hint"], acrValues: acrValues.isEmpty ? nil : acrValues, createdAt: now,
            expiresAt: now.addingTimeInterval(oidc.settings.authorizationRequestLifetime))
        try await oidc.storage.insertAuthorizationRequest(request)
        return try await decide(request, handle: handle, client: client, sessionToken: sessionToken)
    }

    /// Back from the sign-in: answers the waiting request if the browser now has a session that
    /// satisfies it.
    public func resume(handle: String, sessionToken: String?) async throws -> Outcome {
        guard !handle.isEmpty, let request = try await oidc.storage.authorizationRequest(id: SecretDigest.of(handle)),
              request.expiresAt > oidc.now
        else { throw PageError("This sign-in request has expired or was already used. Go back to the application and start again.") }
        guard let client = try await oidc.storage.oidcClient(clientID: request.clientID) else {
            throw PageError("The application is no longer registered with Tandem.")
        }
        return try await decide(request, handle: handle, client: client, sessionToken: sessionToken)
    }

    /// The person's answer on the consent screen. Allowed: the consent is remembered and the code
    /// issued; refused: the application gets `access_denied`.
    public func consent(handle: String, sessionToken: String?, allow: Bool) async throws -> Outcome {
        guard !handle.isEmpty, let request = try await oidc.storage.authorizationRequest(id: SecretDigest.of(handle)),
              request.expiresAt > oidc.now
        else { throw PageError("This sign-in request has expired or was already used. Go back to the application and start again.") }
        guard let client = try await oidc.storage.oidcClient(clientID: request.clientID) else {
            throw PageError("The application is no longer registered with Tandem.")
        }
        guard allow else {
            _ = try await oidc.storage.takeAuthorizationRequest(id: request.id)
            return .redirect(Self.errorRedirect(request.redirectURI, code: .accessDenied, message: "The user did not give the application access.",
                                                state: request.state, issuer: oidc.issuer()))
        }
        return try await decide(request, handle: handle, client: client, sessionToken: sessionToken, consented: true)
    }

    func decide(_ request: OIDCAuthorizationRequest, handle: String, client: OIDCClient, sessionToken: String?,
                consented: Bool = false) async throws -> Outcome {
        if let (user, session) = try await liveSession(sessionToken), isFresh(session, user: user, for: request) {
            if let unmet = try await assurance(request, user: user, session: session, handle: handle, client: client) { return unmet }
            let consentScopes = request.scopes.filter(OIDCConsentService.consentScopes.contains)
            if consented {
                try await OIDCConsentService(env: oidc.env, logger: logger).record(consentScopes, user: user, client: client)
            } else {
                let missing = request.prompt.contains("consent")
                    ? consentScopes : try await OIDCConsentService(env: oidc.env).missing(request.scopes, userID: user.id, clientID: client.clientID)
                if !missing.isEmpty {
                    if request.prompt.contains("none") {
                        _ = try await oidc.storage.takeAuthorizationRequest(id: request.id)
                        return .redirect(Self.errorRedirect(request.redirectURI, code: .consentRequired, message: "The user must consent.",
                                                            state: request.state, issuer: oidc.issuer()))
                    }
                    return .consent(handle: handle, application: client.displayName, scopes: missing, user: user.userPrincipalName)
                }
            }
            return try await issueCode(request, client: client, user: user, session: session)
        }
        if request.prompt.contains("none") {
            _ = try await oidc.storage.takeAuthorizationRequest(id: request.id)
            return .redirect(Self.errorRedirect(request.redirectURI, code: .loginRequired, message: "The user must sign in.",
                                                state: request.state, issuer: oidc.issuer()))
        }
        return .signIn(handle: handle, loginHint: request.loginHint, application: client.displayName)
    }

    /// `acr_values` (decision 0025): `nil` when the session reached a requested value. Otherwise
    /// a session older than the request is sent to sign in again (the stronger sign-in: a weaker
    /// web session never satisfies it); a sign-in made for this request that still falls short,
    /// or a user without any method that could reach a requested value, ends with
    /// `unmet_authentication_requirements` (`login_required` under `prompt=none`). Fail closed.
    func assurance(_ request: OIDCAuthorizationRequest, user: User, session: Session, handle: String, client: OIDCClient) async throws -> Outcome? {
        let wanted = request.acrValues ?? []
        // The administrator's required strength for this user and application (decision 0025),
        // on top of what the client asked for: both must hold.
        let required = try await StrengthRequirementService(env: oidc.env).required(for: user, application: client.clientID)
        let unmetACR = !wanted.isEmpty && OIDCAssurance.satisfied(session.methods, wanted) == nil
        let unmetPolicy = StrengthRequirement.unmet(required, amr: session.methods)
        guard unmetACR || unmetPolicy != nil else { return nil }
        func fail(_ code: OAuthError.Code, _ message: String) async throws -> Outcome {
            _ = try await oidc.storage.takeAuthorizationRequest(id: request.id)
            return .redirect(Self.errorRedirect(request.redirectURI, code: code, message: message, state: request.state, issuer: oidc.issuer()))
        }
        let needs = (unmetACR ? [wanted.joined(separator: " or ")] : []) + (unmetPolicy.map { ["\($0.displayName) (required by policy)"] } ?? [])
        // Decision 0027: a user with no method for it who may add a passkey is sent to sign in
        // again; that sign-in knows the strength and leads to the strength interrupt (add a
        // passkey, then use it). An older, weaker session never satisfies the request.
        let needsPasskey = (unmetPolicy.map { $0 != .mfa } ?? false)
            || (unmetACR && wanted.contains { OIDCAssurance.strength(for: $0).map { $0 != .mfa } ?? false })
        if needsPasskey, !request.prompt.contains("none"), session.createdAt < request.createdAt,
           try await oidc.storage.passkeys(userID: user.id).isEmpty, try await PasskeyService(env: oidc.env).mayRegister(user) {
            return .signIn(handle: handle, loginHint: user.userPrincipalName, application: client.displayName)
        }
        if unmetACR, !(try await mayReach(wanted, userID: user.id)) {
            return try await fail(.unmetAuthenticationRequirements, "The user has no sign-in method that reaches \(needs.joined(separator: " and ")).")
        }
        if let unmetPolicy, !(try await mayReach([OIDCAssurance.name(of: unmetPolicy)], userID: user.id)) {
            return try await fail(.unmetAuthenticationRequirements, "The user has no sign-in method that reaches \(needs.joined(separator: " and ")).")
        }
        if request.prompt.contains("none") { return try await fail(.loginRequired, "A stronger sign-in is required.") }
        if session.createdAt < request.createdAt {
            return .signIn(handle: handle, loginHint: user.userPrincipalName, application: client.displayName)
        }
        return try await fail(.unmetAuthenticationRequirements, "The sign-in did not reach \(needs.joined(separator: " and ")).")
    }

    /// Whether the user has a method that can reach one of the `acr` values: a passkey for the
    /// phishing-resistant ones (a device-bound one for `phrh`), phone sign-in or a passkey for
    /// passwordless, any second factor for MFA.
    func mayReach(_ wanted: [String], userID: String) async throws -> Bool {
        let devices = try await oidc.storage.devices(userID: userID)
        let passkeys = try await oidc.storage.passkeys(userID: userID)
        for acr in wanted {
            switch acr {
            case OIDCAssurance.phrh:
                if passkeys.contains(where: { !$0.backupEligible }) { return true }
            case OIDCAssurance.phr, OIDCAssurance.phishingResistant:
                if !passkeys.isEmpty { return true }
            case OIDCAssurance.passwordless:
                if !passkeys.isEmpty || devices.contains(where: { $0.mayAnswer(.passwordless) }) { return true }
            case OIDCAssurance.multiFactor:
                if !passkeys.isEmpty || devices.contains(where: { $0.mayAnswer(.mfa) }) { return true }
                if !(try await oidc.storage.totpCredentials(userID: userID)).isEmpty { return true }
            default:
                return true
            }
        }
        return false
    }

    /// A session answers the request when it began after the request, or when neither
    /// `prompt=login`, `max_age` nor a different `login_hint` asks for a new sign-in.
    func isFresh(_ session: Session, user: User, for request: OIDCAuthorizationRequest) -> Bool {
        if session.createdAt >= request.createdAt { return true }
        if request.prompt.contains("login") { return false }
        if let maxAge = request.maxAge, oidc.now.timeIntervalSince(session.createdAt) > Double(maxAge) { return false }
        if let hint = request.loginHint, !hint.isEmpty, hint.lowercased() != user.userPrincipalName.lowercased() { return false }
        return true
    }

    func liveSession(_ token: String?) async throws -> (User, Session)? {
        guard let token, !token.isEmpty, let session = try await oidc.storage.session(id: SecretDigest.of(token)),
              session.expiresAt > oidc.now, let user = try await oidc.storage.user(id: session.userID), user.accountEnabled
        else { return nil }
        return (user, session)
    }

    func issueCode(_ request: OIDCAuthorizationRequest, client: OIDCClient, user: User, session: Session) async throws -> Outcome {
        guard try await oidc.storage.takeAuthorizationRequest(id: request.id) else {
            throw PageError("This sign-in request was already used. Go back to the application and start again.")
        }
        let now = oidc.now
        let grant = OIDCGrant(id: oidc.env.random.identifier(), clientID: client.clientID, userID: user.id, scopes: request.scopes,
                              methods: session.methods, authTime: session.createdAt,
                              acr: OIDCAssurance.satisfied(session.methods, request.acrValues ?? []), createdAt: now)
        try await oidc.storage.insertGrant(grant)
        let code = oidc.env.random.identifier(byteCount: 32)
        try await oidc.storage.insertAuthorizationCode(OIDCAuthorizationCode(
            id: SecretDigest.of(code), grantID: grant.id, clientID: client.clientID, redirectURI: request.redirectURI,
            codeChallenge: request.codeChallenge, nonce: request.nonce, createdAt: now, expiresAt: now.addingTimeInterval(oidc.settings.codeLifetime)))
        logger.info("authorization code issued", metadata: ["tandem.client": "\(client.clientID)", "tandem.user": "\(user.id)"])
        var query = [("code", code)]
        if let state = request.state { query.append(("state", state)) }
        query.append(("iss", oidc.issuer()))
        return .redirect(Self.append(query, to: request.redirectURI))
    }

    // MARK: RP-initiated logout

    /// What the logout endpoint does.
    public enum LogoutOutcome: Sendable, Equatable {
        /// Signed out; go to the client's registered post-logout URI (with `state`), or show a page.
        case signedOut(redirect: String?)
        /// No ID token proves the application speaks for this session: ask the person first.
        case confirm
    }

    /// OpenID Connect RP-Initiated Logout 1.0 §2–3. `confirmed` is the person's own answer (a form
    /// posted with the session's CSRF token).
    public func logout(_ params: [String: String], sessionToken: String?, confirmed: Bool) async throws -> LogoutOutcome {
        var hint: IDTokenClaims? = nil
        if let text = params["id_token_hint"], !text.isEmpty {
            guard let claims = await OIDCTokenIssuer(oidc: oidc).idTokenHint(text) else { throw PageError("id_token_hint is not an ID token of Tandem.") }
            hint = claims
        }
        if let clientID = params["client_id"], let hint, hint.aud != clientID { throw PageError("client_id does not match id_token_hint.") }
        var redirect: String? = nil
        if let target = params["post_logout_redirect_uri"] {
            guard let clientID = params["client_id"] ?? hint?.aud, let client = try await oidc.storage.oidcClient(clientID: clientID),
                  client.redirectURIs.contains(target)
            else { throw PageError("post_logout_redirect_uri is not registered for this application; it must match exactly.") }
            redirect = params["state"].map { Self.append([("state", $0)], to: target) } ?? target
        }
        guard let (user, _) = try await liveSession(sessionToken) else { return .signedOut(redirect: redirect) }
        guard confirmed || hint?.sub == user.id else { return .confirm }
        try await oidc.storage.deleteSession(id: SecretDigest.of(sessionToken ?? ""))
        logger.info("signed out by the application", metadata: ["tandem.user": "\(user.id)"])
        return .signedOut(redirect: redirect)
    }

    // MARK: URLs

    static func errorRedirect(_ uri: String, code: OAuthError.Code, message: String, state: String?, issuer: String) -> String {
        var query = [("error", code.rawValue), ("error_description", message)]
        if let state { query.append(("state", state)) }
        query.append(("iss", issuer))
        return append(query, to: uri)
    }

    /// Appends query parameters to a registered URI (which may have a query of its own).
    public static func append(_ query: [(String, String)], to uri: String) -> String {
        let encoded = query.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
        return uri + (uri.contains("?") ? "&" : "?") + encoded
    }

    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
