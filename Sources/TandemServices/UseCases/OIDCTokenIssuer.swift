import Foundation
import Logging
import TandemCore

/// The token endpoint's successful answer (RFC 6749 §5.1, OIDC Core §3.1.3.3).
public struct OIDCTokenResponse: Sendable, Codable, Equatable {
    public var accessToken: String
    public var tokenType: String
    public var expiresIn: Int
    public var refreshToken: String?
    public var idToken: String?
    public var scope: String

    enum CodingKeys: String, CodingKey {
        case scope
        case accessToken = "access_token", tokenType = "token_type", expiresIn = "expires_in"
        case refreshToken = "refresh_token", idToken = "id_token"
    }
}

/// Issues and checks the provider's tokens: access tokens (JWT, recorded by `jti` so they can be
/// revoked), rotating refresh tokens (stored as digests), ID tokens.
public struct OIDCTokenIssuer: Sendable {
    let oidc: OIDCEnvironment
    let logger: Logger

    public init(oidc: OIDCEnvironment, logger: Logger = Logger(label: "tandem.oidc")) {
        self.oidc = oidc
        self.logger = logger
    }

    /// Scopes the provider knows. `tandem-admin` asks for an access token for the admin API.
    public static let supportedScopes = ["openid", "profile", "email", "offline_access", adminScope]
    /// The admin API's scope and audience (the audience of `tandem admin token` too).
    public static let adminScope = "tandem-admin"

    /// Issues the tokens of `grant` to `client`. A refresh token comes with `offline_access` for a
    /// user's grant; an ID token with `openid`.
    func issue(grant: OIDCGrant, client: OIDCClient, nonce: String?, scopes requested: [String]? = nil) async throws -> OIDCTokenResponse {
        let now = oidc.now
        let iat = Int(now.timeIntervalSince1970)
        let issuer = oidc.issuer()
        var scopes = requested ?? grant.scopes
        // Defence in depth: a user's grant carries tandem-admin only for an enabled application
        // (removed at /authorize otherwise; this also covers an application disabled since).
        if grant.userID != nil, !client.mayRequestAdminScope { scopes.removeAll { $0 == Self.adminScope } }
        var user: User? = nil
        if let userID = grant.userID {
            guard let found = try await oidc.storage.user(id: userID), found.accountEnabled else {
                throw OAuthError(.invalidGrant, "The user is disabled or no longer exists.")
            }
            user = found
        }
        let admin = scopes.contains(Self.adminScope)
        var wids: [String]? = nil
        if admin {
            let held = if let user { try await oidc.storage.roles(userID: user.id) } else { client.roles }
            wids = held.filter { DirectoryRole(rawValue: $0) != nil }
        }
        let acr = user.map { _ in grant.acr ?? OIDCAssurance.acr(for: grant.methods) }
        let authTime = grant.authTime.map { Int($0.timeIntervalSince1970) }
        let lifetime = Int(oidc.settings.accessTokenLifetime)
        let jti = oidc.env.random.identifier()
        let audience = user == nil ? [Self.adminScope] : (admin ? [issuer, Self.adminScope] : [issuer])
        let claims = AccessTokenClaims(iss: issuer, sub: user?.id ?? client.clientID, aud: audience, exp: iat + lifetime, iat: iat,
                                       jti: jti, clientID: client.clientID, scope: scopes.joined(separator: " "), authTime: authTime,
                                       acr: acr, amr: user == nil ? nil : grant.methods, wids: wids, idtyp: user == nil ? "app" : "user")
        let accessToken = try await oidc.signer.sign(claims, type: "at+jwt")
        try await oidc.storage.insertAccessToken(OIDCAccessTokenRecord(id: jti, grantID: grant.id, clientID: client.clientID,
                                                                       createdAt: now, expiresAt: now.addingTimeInterval(Double(lifetime))))
        var refreshToken: String? = nil
        if user != nil, client.allows(.refreshToken), grant.scopes.contains("offline_access") {
            let token = oidc.env.random.identifier(byteCount: 32)
            try await oidc.storage.insertRefreshToken(OIDCRefreshToken(id: SecretDigest.of(token), grantID: grant.id, clientID: client.clientID,
                                                                       createdAt: now, expiresAt: now.addingTimeInterval(oidc.settings.refreshTokenLifetime)))
            refreshToken = token
        }
        var idToken: String? = nil
        if let user, scopes.contains("openid") {
            let profile = scopes.contains("profile")
            let idClaims = IDTokenClaims(iss: issuer, sub: user.id, aud: client.clientID, exp: iat + Int(oidc.settings.idTokenLifetime), iat: iat,
                                         authTime: authTime, nonce: nonce, acr: acr, amr: grant.methods, azp: client.clientID,
                                         atHash: Self.leftHalfHash(accessToken),
                                         name: profile ? user.displayName : nil, preferredUsername: profile ? user.userPrincipalName : nil,
                                         email: scopes.contains("email") ? user.userPrincipalName : nil)
            idToken = try await oidc.signer.sign(idClaims, type: "JWT", algorithm: client.idTokenAlgorithm)
        }
        logger.info("tokens issued", metadata: ["tandem.client": "\(client.clientID)", "tandem.user": "\(user?.id ?? "-")",
                                                "tandem.scope": "\(scopes.joined(separator: " "))"])
        return OIDCTokenResponse(accessToken: accessToken, tokenType: "Bearer", expiresIn: lifetime, refreshToken: refreshToken,
                                 idToken: idToken, scope: scopes.joined(separator: " "))
    }

    /// A live access token: signature, issuer, expiry by the server clock, not revoked, its grant not revoked.
    public func validateAccessToken(_ token: String) async throws -> (claims: AccessTokenClaims, grant: OIDCGrant) {
        guard let claims = await oidc.signer.verify(token, as: AccessTokenClaims.self), claims.iss == oidc.issuer() else {
            throw OAuthError(.invalidToken, "The access token is not valid.")
        }
        guard claims.exp > Int(oidc.now.timeIntervalSince1970) else { throw OAuthError(.invalidToken, "The access token has expired.") }
        guard let record = try await oidc.storage.accessToken(id: claims.jti), record.clientID == claims.clientID, record.revokedAt == nil,
              let grant = try await oidc.storage.grant(id: record.grantID), grant.revokedAt == nil
        else { throw OAuthError(.invalidToken, "The access token was revoked.") }
        return (claims, grant)
    }

    /// The claims of an ID token this provider issued (for `id_token_hint`); expiry is not checked.
    public func idTokenHint(_ token: String) async -> IDTokenClaims? {
        guard let claims = await oidc.signer.verify(token, as: IDTokenClaims.self), claims.iss == oidc.issuer() else { return nil }
        return claims
    }

    /// `at_hash`: base64url of the left half of SHA-256 of the token (ES256 → SHA-256).
    static func leftHalfHash(_ token: String) -> String {
        Base64URL.encode((Base64URL.decode(SecretDigest.of(token)) ?? []).prefix(16))
    }
}
