import Foundation

/// The OpenID Connect provider's lifetimes and limits. Built from `TandemConfiguration`.
public struct OIDCSettings: Sendable {
    /// ID tokens: 1 hour.
    public var idTokenLifetime: TimeInterval
    /// Access tokens (JWT, RFC 9068): 10 minutes.
    public var accessTokenLifetime: TimeInterval
    /// Refresh tokens: 14 days from their issue (each rotation starts a new one).
    public var refreshTokenLifetime: TimeInterval
    /// Authorization codes: 60 seconds (RFC 6749 recommends at most 10 minutes).
    public var codeLifetime: TimeInterval
    /// An `/authorize` request waiting for the sign-in: 15 minutes.
    public var authorizationRequestLifetime: TimeInterval
    /// A new signing key is made when the newest is this old: 30 days. Old keys stay published
    /// until every token they signed has expired.
    public var signingKeyRotation: TimeInterval
    /// CIBA: the polling interval the provider asks for, seconds (5, the spec's default).
    public var cibaInterval: Int
    /// Client secrets made by the admin API and `tandem admin apps`: valid 2 years (Entra's default maximum).
    public var secretLifetime: TimeInterval

    public init(idTokenLifetime: TimeInterval = 3600, accessTokenLifetime: TimeInterval = 600,
                refreshTokenLifetime: TimeInterval = 14 * 86_400, codeLifetime: TimeInterval = 60,
                authorizationRequestLifetime: TimeInterval = 900, signingKeyRotation: TimeInterval = 30 * 86_400,
                cibaInterval: Int = 5, secretLifetime: TimeInterval = 730 * 86_400) {
        self.idTokenLifetime = idTokenLifetime
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.codeLifetime = codeLifetime
        self.authorizationRequestLifetime = authorizationRequestLifetime
        self.signingKeyRotation = signingKeyRotation
        self.cibaInterval = cibaInterval
        self.secretLifetime = secretLifetime
    }

    /// The longest any signed token lives: how long a retired key stays published.
    public var longestSignedTokenLifetime: TimeInterval { max(idTokenLifetime, accessTokenLifetime) }
}
