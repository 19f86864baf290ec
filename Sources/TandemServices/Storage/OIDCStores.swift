import Foundation

/// The OpenID Connect provider's storage: registered clients, pending `/authorize` requests,
/// grants and their codes and tokens, CIBA requests, and seen client-assertion ids. Every
/// single-use step (`use…`, `revokeGrant`, `redeemCIBARequest`, `recordAssertionID`) is one atomic
/// compare-and-set that returns whether this call won.
public protocol OIDCStore: Sendable {
    /// Throws `TandemError.conflict` when the client id is taken.
    func insertOIDCClient(_ client: OIDCClient) async throws
    func oidcClient(clientID: String) async throws -> OIDCClient?
    func oidcClient(id: String) async throws -> OIDCClient?
    /// Oldest first.
    func oidcClients() async throws -> [OIDCClient]
    func updateOIDCClient(_ client: OIDCClient) async throws
    /// Returns whether a client was deleted.
    func deleteOIDCClient(id: String) async throws -> Bool

    func insertAuthorizationRequest(_ request: OIDCAuthorizationRequest) async throws
    func authorizationRequest(id: String) async throws -> OIDCAuthorizationRequest?
    /// Deletes the request; returns whether it was there (one code per request).
    func takeAuthorizationRequest(id: String) async throws -> Bool

    func insertGrant(_ grant: OIDCGrant) async throws
    func grant(id: String) async throws -> OIDCGrant?
    /// Marks the grant revoked; returns whether it was live.
    @discardableResult
    func revokeGrant(id: String, at: Date) async throws -> Bool
    /// Revokes every live grant of a user (and so their codes and tokens); returns how many.
    @discardableResult
    func revokeGrants(userID: String, at: Date) async throws -> Int

    func insertAuthorizationCode(_ code: OIDCAuthorizationCode) async throws
    func authorizationCode(id: String) async throws -> OIDCAuthorizationCode?
    /// Marks the code used if it was unused; returns whether this call did.
    func useAuthorizationCode(id: String, at: Date) async throws -> Bool

    func insertRefreshToken(_ token: OIDCRefreshToken) async throws
    func refreshToken(id: String) async throws -> OIDCRefreshToken?
    /// Marks the token used if it was unused; returns whether this call did.
    func useRefreshToken(id: String, at: Date) async throws -> Bool

    func insertAccessToken(_ record: OIDCAccessTokenRecord) async throws
    func accessToken(id: String) async throws -> OIDCAccessTokenRecord?
    func revokeAccessToken(id: String, at: Date) async throws

    func insertCIBARequest(_ request: CIBARequest) async throws
    func cibaRequest(id: String) async throws -> CIBARequest?
    /// Records a poll: the time and the (possibly grown) interval.
    func recordCIBAPoll(id: String, at: Date, interval: Int) async throws
    /// Marks the request redeemed if it was not; returns whether this call did.
    func redeemCIBARequest(id: String, at: Date) async throws -> Bool

    /// Remembers a client assertion's `jti` until it expires; returns false when it was seen before.
    func recordAssertionID(_ jti: String, clientID: String, expiresAt: Date) async throws -> Bool
}
