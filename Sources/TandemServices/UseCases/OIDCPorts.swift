import Foundation

/// Signs and checks the provider's JWTs (ES256, keys in the store, encrypted at rest). The
/// server implements it over jwt-kit (`OIDCKeyRing`); the use cases see only this.
public protocol OIDCTokenSigner: Sendable {
    /// Signs `claims` with the current signing key of `algorithm`; `type` is the JOSE `typ` header
    /// (`JWT` for ID tokens, `at+jwt` for access tokens).
    func sign<Claims: Codable & Sendable>(_ claims: Claims, type: String, algorithm: OIDCClient.IDTokenAlgorithm) async throws -> String
    /// The claims of a token this provider signed with a published key, or `nil` when the
    /// format, the key id or the signature is wrong. Times are the caller's to check.
    func verify<Claims: Codable & Sendable>(_ token: String, as: Claims.Type) async -> Claims?
    /// The claims of a client's `private_key_jwt` assertion, checked against the client's
    /// registered JWK Set (JSON), or `nil`. Times, audience and replay are the caller's to check.
    func verifyClientAssertion<Claims: Codable & Sendable>(_ token: String, jwks: String, as: Claims.Type) async -> Claims?
}

extension OIDCTokenSigner {
    /// Signs with the ES256 key (access tokens, and ID tokens of clients that did not ask for RS256).
    public func sign<Claims: Codable & Sendable>(_ claims: Claims, type: String) async throws -> String {
        try await sign(claims, type: type, algorithm: .es256)
    }
}

/// Tells a CIBA client in ping mode that its request is answered (CIBA Core §10.2).
public protocol CIBANotifier: Sendable {
    /// POSTs `{"auth_req_id":…}` with `Authorization: Bearer <token>` to `endpoint`. Best effort.
    func ping(endpoint: String, token: String, authReqID: String) async
}

/// What the OIDC use cases share beyond `ServiceEnvironment`.
public struct OIDCEnvironment: Sendable {
    public var env: ServiceEnvironment
    public var settings: OIDCSettings
    public var signer: any OIDCTokenSigner
    /// The issuer: the public URL, known once the server has bound its port.
    public var issuer: @Sendable () -> String

    public init(env: ServiceEnvironment, settings: OIDCSettings, signer: any OIDCTokenSigner, issuer: @escaping @Sendable () -> String) {
        self.env = env
        self.settings = settings
        self.signer = signer
        self.issuer = issuer
    }

    var storage: any TandemStorage { env.storage }
    var now: Date { env.clock.now() }

    /// The token endpoint's URL (the audience of client assertions).
    public var tokenEndpoint: String { issuer() + "/oauth2/token" }
}
