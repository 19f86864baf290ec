import Foundation

/// An `/authorize` request waiting for the person to sign in. Its handle travels in the sign-in
/// flow's return URL; only the handle's digest is stored.
public struct OIDCAuthorizationRequest: Sendable, Equatable, Codable {
    /// SHA-256 of the handle.
    public var id: String
    public var clientID: String
    public var redirectURI: String
    public var scopes: [String]
    public var state: String?
    public var nonce: String?
    public var codeChallenge: String?
    public var codeChallengeMethod: String?
    /// `prompt` values (`none`, `login`, `consent`, `select_account`).
    public var prompt: [String]
    public var maxAge: Int?
    public var loginHint: String?
    /// The `acr_values` Tandem knows, in the client's order of preference (`OIDCAssurance`);
    /// `nil` when none was asked for.
    public var acrValues: [String]?
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, clientID: String, redirectURI: String, scopes: [String], state: String?, nonce: String?,
                codeChallenge: String?, codeChallengeMethod: String?, prompt: [String], maxAge: Int?, loginHint: String?,
                acrValues: [String]? = nil, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.scopes = scopes
        self.state = state
        self.nonce = nonce
        self.codeChallenge = codeChallenge
        self.codeChallengeMethod = codeChallengeMethod
        self.prompt = prompt
        self.maxAge = maxAge
        self.loginHint = loginHint
        self.acrValues = acrValues
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}

/// One authorization: what a sign-in (or a client's own credentials) granted one client. Every
/// code, access token and refresh token belongs to one grant, and revoking the grant ends them
/// all — a reused code or a reused refresh token revokes its grant (the token "family").
public struct OIDCGrant: Sendable, Equatable, Codable {
    public var id: String
    public var clientID: String
    /// The user; `nil` for the client-credentials grant (the application acts for itself).
    public var userID: String?
    public var scopes: [String]
    /// RFC 8176 methods of the sign-in (`amr`), e.g. `pwd mfa swk`.
    public var methods: [String]
    /// When the person signed in (`auth_time`).
    public var authTime: Date?
    /// The `acr` the sign-in reached: the first `acr_values` value it satisfied, else the default
    /// for its methods (decision 0025); `nil` in grants made before it was kept.
    public var acr: String?
    public var createdAt: Date
    public var revokedAt: Date?

    public init(id: String, clientID: String, userID: String?, scopes: [String], methods: [String], authTime: Date?,
                acr: String? = nil, createdAt: Date, revokedAt: Date? = nil) {
        self.acr = acr
        self.id = id
        self.clientID = clientID
        self.userID = userID
        self.scopes = scopes
        self.methods = methods
        self.authTime = authTime
        self.createdAt = createdAt
        self.revokedAt = revokedAt
    }
}

/// An authorization code: single use, short lived, bound to the client, the redirect URI and the
/// PKCE challenge. Only its digest is stored.
public struct OIDCAuthorizationCode: Sendable, Equatable, Codable {
    /// SHA-256 of the code.
    public var id: String
    public var grantID: String
    public var clientID: String
    public var redirectURI: String
    public var codeChallenge: String?
    public var nonce: String?
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(id: String, grantID: String, clientID: String, redirectURI: String, codeChallenge: String?, nonce: String?,
                createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.id = id
        self.grantID = grantID
        self.clientID = clientID
        self.redirectURI = redirectURI
        self.codeChallenge = codeChallenge
        self.nonce = nonce
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}

/// A refresh token: rotated at each use; a second use of the same token revokes its grant.
public struct OIDCRefreshToken: Sendable, Equatable, Codable {
    /// SHA-256 of the token.
    public var id: String
    public var grantID: String
    public var clientID: String
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?

    public init(id: String, grantID: String, clientID: String, createdAt: Date, expiresAt: Date, usedAt: Date? = nil) {
        self.id = id
        self.grantID = grantID
        self.clientID = clientID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
    }
}

/// The record of an issued access token (a JWT), so it can be revoked and introspected.
public struct OIDCAccessTokenRecord: Sendable, Equatable, Codable {
    /// The token's `jti`.
    public var id: String
    public var grantID: String
    public var clientID: String
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?

    public init(id: String, grantID: String, clientID: String, createdAt: Date, expiresAt: Date, revokedAt: Date? = nil) {
        self.id = id
        self.grantID = grantID
        self.clientID = clientID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
    }
}

/// A CIBA authentication request (`auth_req_id`) and its push challenge.
public struct CIBARequest: Sendable, Equatable, Codable {
    /// SHA-256 of the `auth_req_id`.
    public var id: String
    public var clientID: String
    public var userID: String
    public var challengeID: String
    public var scopes: [String]
    public var bindingMessage: String?
    /// Ping mode: the bearer token the client gave for its notification endpoint.
    public var notificationToken: String?
    /// Seconds the client must wait between polls; grows by 5 at each `slow_down`.
    public var interval: Int
    public var lastPollAt: Date?
    public var createdAt: Date
    public var expiresAt: Date
    public var redeemedAt: Date?

    public init(id: String, clientID: String, userID: String, challengeID: String, scopes: [String], bindingMessage: String?,
                notificationToken: String?, interval: Int, lastPollAt: Date? = nil, createdAt: Date, expiresAt: Date,
                redeemedAt: Date? = nil) {
        self.id = id
        self.clientID = clientID
        self.userID = userID
        self.challengeID = challengeID
        self.scopes = scopes
        self.bindingMessage = bindingMessage
        self.notificationToken = notificationToken
        self.interval = interval
        self.lastPollAt = lastPollAt
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.redeemedAt = redeemedAt
    }
}
