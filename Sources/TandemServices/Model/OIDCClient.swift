import Foundation

/// An application registered with the OpenID Connect provider (a "client" in OAuth terms, an
/// "application" in Graph's). Stored as one JSON document; `docs/decisions/0007-oidc.md`.
public struct OIDCClient: Sendable, Equatable, Codable {
    /// How the client proves who it is at the token, revocation, introspection and CIBA endpoints
    /// (OIDC Core §9). Exactly the registered method is accepted.
    public enum AuthMethod: String, Sendable, Codable, CaseIterable {
        case clientSecretBasic = "client_secret_basic"
        case clientSecretPost = "client_secret_post"
        case privateKeyJWT = "private_key_jwt"
        /// A public client (a native app or a single-page app): no secret, PKCE S256 required.
        case none
    }

    /// The grants the client may use at the token endpoint.
    public enum GrantType: String, Sendable, Codable, CaseIterable {
        case authorizationCode = "authorization_code"
        case refreshToken = "refresh_token"
        case clientCredentials = "client_credentials"
        case ciba = "urn:openid:params:grant-type:ciba"
    }

    /// CIBA token delivery (CIBA Core §5): the client polls, or is pinged and then asks once.
    public enum DeliveryMode: String, Sendable, Codable, CaseIterable {
        case poll, ping
    }

    /// How the client's ID tokens are signed (`id_token_signed_response_alg`, OIDC Registration §2). ES256 unless
    /// the client asks for RS256, which OIDC Discovery §3 requires a provider to offer. Access tokens, which only
    /// Tandem reads, are always ES256.
    public enum IDTokenAlgorithm: String, Sendable, Codable, CaseIterable {
        case es256 = "ES256"
        case rs256 = "RS256"
    }

    /// A client secret: only its SHA-256 digest is kept (the secret is 256 random bits).
    public struct Secret: Sendable, Equatable, Codable {
        public var keyID: String
        public var displayName: String?
        /// The first three characters, so a person can tell secrets apart (Graph's `hint`).
        public var hint: String
        /// Base64url SHA-256 of the secret. Never logged.
        public var digest: String
        public var createdAt: Date
        public var expiresAt: Date

        public init(keyID: String, displayName: String?, hint: String, digest: String, createdAt: Date, expiresAt: Date) {
            self.keyID = keyID
            self.displayName = displayName
            self.hint = hint
            self.digest = digest
            self.createdAt = createdAt
            self.expiresAt = expiresAt
        }
    }

    /// Object id (Graph's `id`), a UUID.
    public var id: String
    /// The OAuth `client_id` (Graph's `appId`), a UUID.
    public var clientID: String
    public var displayName: String
    public var authMethod: AuthMethod
    /// Compared exactly (no prefix, no wildcard, no normalisation) with `redirect_uri` and
    /// `post_logout_redirect_uri`.
    public var redirectURIs: [String]
    public var grantTypes: [GrantType]
    public var secrets: [Secret]
    /// The client's public keys for `private_key_jwt`: a JWK Set as JSON.
    public var jwks: String?
    /// CIBA delivery mode; `nil` for clients without the CIBA grant.
    public var deliveryMode: DeliveryMode?
    /// CIBA ping mode: where the provider posts `{"auth_req_id":…}`.
    public var notificationEndpoint: String?
    /// Directory role template ids the application itself holds (client credentials → admin API).
    public var roles: [String]
    /// Whether an administrator enabled the application for the `tandem-admin` scope on behalf of
    /// a signed-in user (after that user's consent). Never for a public client. Other clients
    /// asking for the scope get it removed from the grant.
    public var adminScopeEnabled: Bool
    public var idTokenAlgorithm: IDTokenAlgorithm
    public var createdAt: Date

    public init(id: String, clientID: String, displayName: String, authMethod: AuthMethod, redirectURIs: [String] = [],
                grantTypes: [GrantType], secrets: [Secret] = [], jwks: String? = nil, deliveryMode: DeliveryMode? = nil,
                notificationEndpoint: String? = nil, roles: [String] = [], adminScopeEnabled: Bool = false,
                idTokenAlgorithm: IDTokenAlgorithm = .es256, createdAt: Date) {
        self.id = id
        self.clientID = clientID
        self.displayName = displayName
        self.authMethod = authMethod
        self.redirectURIs = redirectURIs
        self.grantTypes = grantTypes
        self.secrets = secrets
        self.jwks = jwks
        self.deliveryMode = deliveryMode
        self.notificationEndpoint = notificationEndpoint
        self.roles = roles
        self.adminScopeEnabled = adminScopeEnabled
        self.idTokenAlgorithm = idTokenAlgorithm
        self.createdAt = createdAt
    }

    /// Registrations stored before `adminScopeEnabled` existed read as not enabled; before `idTokenAlgorithm`, as ES256.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        clientID = try c.decode(String.self, forKey: .clientID)
        displayName = try c.decode(String.self, forKey: .displayName)
        authMethod = try c.decode(AuthMethod.self, forKey: .authMethod)
        redirectURIs = try c.decode([String].self, forKey: .redirectURIs)
        grantTypes = try c.decode([GrantType].self, forKey: .grantTypes)
        secrets = try c.decode([Secret].self, forKey: .secrets)
        jwks = try c.decodeIfPresent(String.self, forKey: .jwks)
        deliveryMode = try c.decodeIfPresent(DeliveryMode.self, forKey: .deliveryMode)
        notificationEndpoint = try c.decodeIfPresent(String.self, forKey: .notificationEndpoint)
        roles = try c.decode([String].self, forKey: .roles)
        adminScopeEnabled = try c.decodeIfPresent(Bool.self, forKey: .adminScopeEnabled) ?? false
        idTokenAlgorithm = try c.decodeIfPresent(IDTokenAlgorithm.self, forKey: .idTokenAlgorithm) ?? .es256
        createdAt = try c.decode(Date.self, forKey: .createdAt)
    }

    /// Whether the client may receive the `tandem-admin` scope for a signed-in user (after consent).
    public var mayRequestAdminScope: Bool { adminScopeEnabled && !isPublic }

    /// A public client holds no credential; PKCE is its proof.
    public var isPublic: Bool { authMethod == .none }

    /// Whether the client may use `grant`.
    public func allows(_ grant: GrantType) -> Bool { grantTypes.contains(grant) }
}
