import Foundation
import Logging
import TandemCore

/// The token endpoint's grants (RFC 6749 §4, RFC 7636, CIBA Core §10), one rejected condition →
/// one error code of the specifications.
public struct OIDCTokenService: Sendable {
    let oidc: OIDCEnvironment
    let issuer: OIDCTokenIssuer
    let logger: Logger

    public init(oidc: OIDCEnvironment, logger: Logger = Logger(label: "tandem.oidc")) {
        self.oidc = oidc
        self.issuer = OIDCTokenIssuer(oidc: oidc, logger: logger)
        self.logger = logger
    }

    /// Exchanges a grant for tokens. `client` is already authenticated.
    public func exchange(_ form: [String: String], client: OIDCClient) async throws -> OIDCTokenResponse {
        guard let grantType = form["grant_type"], !grantType.isEmpty else { throw OAuthError(.invalidRequest, "grant_type is required.") }
        guard let grant = OIDCClient.GrantType(rawValue: grantType) else {
            throw OAuthError(.unsupportedGrantType, "The grant type \(grantType) is not supported.")
        }
        guard client.allows(grant) else { throw OAuthError(.unauthorizedClient, "This client may not use the \(grantType) grant.") }
        switch grant {
        case .authorizationCode: return try await authorizationCode(form, client: client)
        case .refreshToken: return try await refresh(form, client: client)
        case .clientCredentials: return try await clientCredentials(form, client: client)
        case .ciba:
            let granted = try await CIBAService(oidc: oidc, logger: logger).redeem(form, client: client)
            return try await issuer.issue(grant: granted, client: client, nonce: nil)
        }
    }

    func authorizationCode(_ form: [String: String], client: OIDCClient) async throws -> OIDCTokenResponse {
        guard let code = form["code"], !code.isEmpty else { throw OAuthError(.invalidRequest, "code is required.") }
        guard let stored = try await oidc.storage.authorizationCode(id: SecretDigest.of(code)) else {
            throw OAuthError(.invalidGrant, "The authorization code is not valid.")
        }
        guard stored.clientID == client.clientID else { throw OAuthError(.invalidGrant, "The authorization code was issued to another client.") }
        let now = oidc.now
        // Every check that proves the caller holds the code legitimately comes before the code is
        // used up: a failed redirect_uri or PKCE check leaves it unused, so whoever injected a
        // stolen code without the verifier cannot burn it for the rightful client (RFC 9700
        // §4.5.3, §2.1.1). It stays single use and expires on the server clock (60 s); the
        // verifier has at least 256 bits, so guessing it within that time is hopeless.
        guard stored.expiresAt > now else { throw OAuthError(.invalidGrant, "The authorization code has expired.") }
        guard form["redirect_uri"] == stored.redirectURI else {
            throw OAuthError(.invalidGrant, "redirect_uri does not match the authorization request.")
        }
        if let challenge = stored.codeChallenge {
            guard let verifier = form["code_verifier"] else { throw OAuthError(.invalidGrant, "code_verifier is required (PKCE).") }
            guard Self.isVerifier(verifier) else { throw OAuthError(.invalidRequest, "code_verifier must be 43 to 128 unreserved characters.") }
            guard ConstantTime.equals(SecretDigest.of(verifier), challenge) else {
                throw OAuthError(.invalidGrant, "PKCE verification failed: code_verifier does not match code_challenge.")
            }
        } else if form["code_verifier"] != nil {
            throw OAuthError(.invalidGrant, "code_verifier was sent but the authorization request had no code_challenge.")
        }
        guard try await oidc.storage.useAuthorizationCode(id: stored.id, at: now) else {
            // RFC 6749 §4.1.2: a code used twice (by a caller holding the verifier) is refused, and what it gave is revoked.
            try await oidc.storage.revokeGrant(id: stored.grantID, at: now)
            logger.notice("authorization code reused: grant revoked", metadata: ["tandem.client": "\(client.clientID)"])
            throw OAuthError(.invalidGrant, "The authorization code was already used; the tokens issued with it are revoked.")
        }
        guard let grant = try await oidc.storage.grant(id: stored.grantID), grant.revokedAt == nil else {
            throw OAuthError(.invalidGrant, "The authorization was revoked.")
        }
        return try await issuer.issue(grant: grant, client: client, nonce: stored.nonce)
    }

    func refresh(_ form: [String: String], client: OIDCClient) async throws -> OIDCTokenResponse {
        guard let token = form["refresh_token"], !token.isEmpty else { throw OAuthError(.invalidRequest, "refresh_token is required.") }
        guard let stored = try await oidc.storage.refreshToken(id: SecretDigest.of(token)) else {
            throw OAuthError(.invalidGrant, "The refresh token is not valid.")
        }
        guard stored.clientID == client.clientID else { throw OAuthError(.invalidGrant, "The refresh token was issued to another client.") }
        guard let grant = try await oidc.storage.grant(id: stored.grantID), grant.revokedAt == nil else {
            throw OAuthError(.invalidGrant, "The refresh token was revoked.")
        }
        let now = oidc.now
        guard try await oidc.storage.useRefreshToken(id: stored.id, at: now) else {
            // Reuse of a rotated refresh token: someone holds a copy. End the whole family.
            try await oidc.storage.revokeGrant(id: grant.id, at: now)
            logger.notice("refresh token reused: grant revoked", metadata: ["tandem.client": "\(client.clientID)"])
            throw OAuthError(.invalidGrant, "The refresh token was already used; every token of this sign-in is revoked.")
        }
        guard stored.expiresAt > now else { throw OAuthError(.invalidGrant, "The refresh token has expired.") }
        var scopes = grant.scopes
        if let asked = form["scope"] {
            let requested = Self.scopes(asked)
            guard !requested.isEmpty, Set(requested).isSubset(of: grant.scopes) else {
                throw OAuthError(.invalidScope, "A refresh may only narrow the scopes first granted.")
            }
            scopes = requested
        }
        return try await issuer.issue(grant: grant, client: client, nonce: nil, scopes: scopes)
    }

    func clientCredentials(_ form: [String: String], client: OIDCClient) async throws -> OIDCTokenResponse {
        guard !client.isPublic else { throw OAuthError(.unauthorizedClient, "A public client cannot use client credentials.") }
        let scopes = form["scope"].map(Self.scopes) ?? [OIDCTokenIssuer.adminScope]
        guard scopes == [OIDCTokenIssuer.adminScope] else {
            throw OAuthError(.invalidScope, "The client credentials grant serves the scope \(OIDCTokenIssuer.adminScope) only.")
        }
        let now = oidc.now
        let grant = OIDCGrant(id: oidc.env.random.identifier(), clientID: client.clientID, userID: nil, scopes: scopes, methods: [],
                              authTime: nil, createdAt: now)
        try await oidc.storage.insertGrant(grant)
        return try await issuer.issue(grant: grant, client: client, nonce: nil)
    }

    // MARK: revocation, introspection, UserInfo

    /// RFC 7009: revokes a refresh token (and its grant: every token of the sign-in) or an access
    /// token. Unknown tokens are not an error; another client's token is.
    public func revoke(token: String?, client: OIDCClient) async throws {
        guard let token, !token.isEmpty else { throw OAuthError(.invalidRequest, "token is required.") }
        let now = oidc.now
        if let refresh = try await oidc.storage.refreshToken(id: SecretDigest.of(token)) {
            guard refresh.clientID == client.clientID else { throw OAuthError(.invalidGrant, "The token was issued to another client.") }
            try await oidc.storage.revokeGrant(id: refresh.grantID, at: now)
            return
        }
        if let claims = await oidc.signer.verify(token, as: AccessTokenClaims.self), claims.iss == oidc.issuer(),
           let record = try await oidc.storage.accessToken(id: claims.jti) {
            guard record.clientID == client.clientID else { throw OAuthError(.invalidGrant, "The token was issued to another client.") }
            try await oidc.storage.revokeAccessToken(id: record.id, at: now)
        }
    }

    /// RFC 7662 §2.2: what a live token is; `active: false` for anything else. §4: only the client
    /// the token was issued to, or one named in its audience (a resource server it was issued
    /// for), learns about it; to any other client a live token is `active: false` too.
    public func introspect(token: String?, client: OIDCClient) async throws -> IntrospectionResponse {
        guard !client.isPublic else { throw OAuthError(.invalidClient, "Introspection needs a confidential client.") }
        guard let token, !token.isEmpty else { throw OAuthError(.invalidRequest, "token is required.") }
        if let (claims, grant) = try? await issuer.validateAccessToken(token) {
            guard claims.clientID == client.clientID || claims.aud.contains(client.clientID) else {
                logger.notice("introspection of another client's token refused", metadata: ["tandem.client": "\(client.clientID)"])
                return IntrospectionResponse(active: false)
            }
            var username: String? = nil
            if let userID = grant.userID { username = try await oidc.storage.user(id: userID)?.userPrincipalName }
            return IntrospectionResponse(active: true, scope: claims.scope, clientID: claims.clientID, username: username, tokenType: "Bearer",
                                         exp: claims.exp, iat: claims.iat, sub: claims.sub, aud: claims.aud, iss: claims.iss, jti: claims.jti)
        }
        let now = oidc.now
        if let refresh = try await oidc.storage.refreshToken(id: SecretDigest.of(token)), refresh.clientID == client.clientID,
           refresh.usedAt == nil, refresh.expiresAt > now,
           let grant = try await oidc.storage.grant(id: refresh.grantID), grant.revokedAt == nil, let userID = grant.userID {
            let username = try await oidc.storage.user(id: userID)?.userPrincipalName
            return IntrospectionResponse(active: true, scope: grant.scopes.joined(separator: " "), clientID: refresh.clientID, username: username,
                                         tokenType: "refresh_token", exp: Int(refresh.expiresAt.timeIntervalSince1970),
                                         iat: Int(refresh.createdAt.timeIntervalSince1970), sub: userID, aud: nil, iss: oidc.issuer(), jti: nil)
        }
        return IntrospectionResponse(active: false)
    }

    /// OIDC Core §5.3: the user's claims for a live access token with the `openid` scope.
    public func userInfo(accessToken: String) async throws -> [String: String] {
        let (claims, grant) = try await issuer.validateAccessToken(accessToken)
        guard let userID = grant.userID, claims.scopes.contains("openid") else {
            throw OAuthError(.insufficientScope, "UserInfo needs an access token with the openid scope.")
        }
        guard let user = try await oidc.storage.user(id: userID), user.accountEnabled else {
            throw OAuthError(.invalidToken, "The user is disabled or no longer exists.")
        }
        var info = ["sub": user.id]
        if claims.scopes.contains("profile") {
            info["name"] = user.displayName
            info["preferred_username"] = user.userPrincipalName
        }
        if claims.scopes.contains("email") { info["email"] = user.userPrincipalName }
        return info
    }

    // MARK: helpers

    /// Space-separated scopes, in order, without repeats.
    public static func scopes(_ text: String) -> [String] {
        var seen: [String] = []
        for scope in text.split(separator: " ").map(String.init) where !seen.contains(scope) { seen.append(scope) }
        return seen
    }

    /// RFC 7636 §4.1: 43–128 characters of `[A-Za-z0-9-._~]`.
    static func isVerifier(_ text: String) -> Bool {
        (43...128).contains(text.utf8.count) && text.utf8.allSatisfy {
            Base64URL.isAlphabet($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "~")
        }
    }
}

/// RFC 7662 §2.2.
public struct IntrospectionResponse: Sendable, Codable, Equatable {
    public var active: Bool
    public var scope: String?
    public var clientID: String?
    public var username: String?
    public var tokenType: String?
    public var exp: Int?
    public var iat: Int?
    public var sub: String?
    public var aud: [String]?
    public var iss: String?
    public var jti: String?

    enum CodingKeys: String, CodingKey {
        case active, scope, username, exp, iat, sub, aud, iss, jti
        case clientID = "client_id", tokenType = "token_type"
    }

    public init(active: Bool, scope: String? = nil, clientID: String? = nil, username: String? = nil, tokenType: String? = nil,
                exp: Int? = nil, iat: Int? = nil, sub: String? = nil, aud: [String]? = nil, iss: String? = nil, jti: String? = nil) {
        self.active = active
        self.scope = scope
        self.clientID = clientID
        self.username = username
        self.tokenType = tokenType
        self.exp = exp
        self.iat = iat
        self.sub = sub
        self.aud = aud
        self.iss = iss
        self.jti = jti
    }
}
