import Foundation
import TandemCore

/// The client authentication a request presented (RFC 6749 §2.3, OIDC Core §9).
public struct PresentedClientAuth: Sendable {
    /// From `Authorization: Basic`, already form-decoded.
    public var basic: (id: String, secret: String)?
    /// `client_id`, `client_secret`, `client_assertion_type`, `client_assertion` from the body.
    public var form: [String: String]

    public init(basic: (id: String, secret: String)?, form: [String: String]) {
        self.basic = basic
        self.form = form
    }
}

/// Authenticates clients at the token, revocation, introspection and CIBA endpoints. Each client
/// uses exactly its registered method; every failure is `invalid_client` and says no more than
/// needed.
public struct OIDCClientAuthenticator: Sendable {
    let oidc: OIDCEnvironment

    public init(oidc: OIDCEnvironment) { self.oidc = oidc }

    public static let assertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    /// The authenticated client. `endpoint` is the URL called (accepted as an assertion audience
    /// besides the issuer and the token endpoint).
    public func authenticate(_ presented: PresentedClientAuth, endpoint: String) async throws -> OIDCClient {
        let form = presented.form
        let usesPost = form["client_secret"] != nil
        let usesAssertion = form["client_assertion"] != nil || form["client_assertion_type"] != nil
        let count = [presented.basic != nil, usesPost, usesAssertion].filter { $0 }.count
        guard count <= 1 else { throw OAuthError(.invalidRequest, "Use exactly one client authentication method.") }

        if let basic = presented.basic {
            if let id = form["client_id"], id != basic.id { throw OAuthError(.invalidRequest, "client_id does not match the Authorization header.") }
            return try await withSecret(clientID: basic.id, secret: basic.secret, method: .clientSecretBasic)
        }
        if usesPost {
            guard let id = form["client_id"], !id.isEmpty else { throw OAuthError(.invalidRequest, "client_id is required with client_secret.") }
            return try await withSecret(clientID: id, secret: form["client_secret"] ?? "", method: .clientSecretPost)
        }
        if usesAssertion {
            return try await withAssertion(form, endpoint: endpoint)
        }
        guard let id = form["client_id"], !id.isEmpty else {
            throw OAuthError(.invalidClient, "Client authentication is required.")
        }
        guard let client = try await oidc.storage.oidcClient(clientID: id) else { throw OAuthError(.invalidClient, "Unknown client.") }
        guard client.authMethod == .none else { throw OAuthError(.invalidClient, "This client must authenticate with \(client.authMethod.rawValue).") }
        return client
    }

    func withSecret(clientID: String, secret: String, method: OIDCClient.AuthMethod) async throws -> OIDCClient {
        guard let client = try await oidc.storage.oidcClient(clientID: clientID) else {
            throw OAuthError(.invalidClient, "Client authentication failed.")
        }
        guard client.authMethod == method else {
            throw OAuthError(.invalidClient, "This client must authenticate with \(client.authMethod.rawValue).")
        }
        let presented = SecretDigest.of(secret)
        let now = oidc.now
        var matched = false
        for stored in client.secrets where stored.expiresAt > now {
            if ConstantTime.equals(presented, stored.digest) { matched = true }
        }
        guard matched, !secret.isEmpty else { throw OAuthError(.invalidClient, "Client authentication failed.") }
        return client
    }

    func withAssertion(_ form: [String: String], endpoint: String) async throws -> OIDCClient {
        guard form["client_assertion_type"] == Self.assertionType else {
            throw OAuthError(.invalidClient, "client_assertion_type must be \(Self.assertionType).")
        }
        guard let assertion = form["client_assertion"], let unverified = Self.unverifiedClaims(assertion, as: ClientAssertionClaims.self) else {
            throw OAuthError(.invalidClient, "client_assertion is not a valid JWT.")
        }
        if let id = form["client_id"], id != unverified.sub { throw OAuthError(.invalidClient, "client_id does not match the assertion.") }
        guard let client = try await oidc.storage.oidcClient(clientID: unverified.sub) else {
            throw OAuthError(.invalidClient, "Client authentication failed.")
        }
        guard client.authMethod == .privateKeyJWT, let jwks = client.jwks else {
            throw OAuthError(.invalidClient, "This client must authenticate with \(client.authMethod.rawValue).")
        }
        guard let claims = await oidc.signer.verifyClientAssertion(assertion, jwks: jwks, as: ClientAssertionClaims.self) else {
            throw OAuthError(.invalidClient, "The client assertion's signature is not valid.")
        }
        let now = Int(oidc.now.timeIntervalSince1970)
        let audiences: Set<String> = [oidc.issuer(), oidc.tokenEndpoint, endpoint]
        guard claims.iss == client.clientID, claims.sub == client.clientID else {
            throw OAuthError(.invalidClient, "The client assertion's iss and sub must be the client_id.")
        }
        guard !audiences.isDisjoint(with: claims.aud) else { throw OAuthError(.invalidClient, "The client assertion's audience is not this server.") }
        guard claims.exp > now - 30 else { throw OAuthError(.invalidClient, "The client assertion has expired.") }
        guard claims.exp <= now + 3600, (claims.nbf ?? 0) <= now + 30 else {
            throw OAuthError(.invalidClient, "The client assertion's lifetime is not acceptable.")
        }
        guard !claims.jti.isEmpty, claims.jti.utf8.count <= 256 else { throw OAuthError(.invalidClient, "The client assertion needs a jti.") }
        guard try await oidc.storage.recordAssertionID(claims.jti, clientID: client.clientID,
                                                       expiresAt: Date(timeIntervalSince1970: TimeInterval(claims.exp + 30))) else {
            throw OAuthError(.invalidClient, "The client assertion was used before.")
        }
        return client
    }

    /// Decodes a compact JWT's payload without checking anything (to find which keys to check it with).
    public static func unverifiedClaims<Claims: Decodable>(_ token: String, as: Claims.Type) -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count <= 16 * 1024, let payload = Base64URL.decode(String(parts[1])) else { return nil }
        return try? JSONDecoder().decode(Claims.self, from: Data(payload))
    }
}
