import Foundation

/// A user's remembered consent to give one scope to one application (OIDC Core §3.1.2.4).
public struct OIDCConsent: Sendable, Equatable {
    public var userID: String
    public var clientID: String
    public var scope: String
    public var grantedAt: Date

    public init(userID: String, clientID: String, scope: String, grantedAt: Date) {
        self.userID = userID
        self.clientID = clientID
        self.scope = scope
        self.grantedAt = grantedAt
    }
}

/// What the revocation of a user's sign-ins, the consent screen and the sealed admin key need
/// (issue 10: role boundaries, consent, revocation; migration 110).
public protocol AdminHardeningStore: Sendable {
    /// Forgets every remembered-MFA browser of the user.
    func deleteRememberedBrowsers(userID: String) async throws
    /// Tokens issued to the user before `at` stop working (Graph's `signInSessionsValidFromDateTime`).
    func setSessionsValidFrom(userID: String, at: Date) async throws
    func sessionsValidFrom(userID: String) async throws -> Date?
    /// Removes a signing key (an unsealed key replaced by a sealed one).
    func deleteSigningKey(kid: String) async throws

    /// Remembers a consent (again: the time is updated).
    func recordConsent(_ consent: OIDCConsent) async throws
    func consents(userID: String) async throws -> [OIDCConsent]
    /// Withdraws the user's consents to the client (one scope, or all with `nil`); returns how many.
    @discardableResult
    func deleteConsents(userID: String, clientID: String, scope: String?) async throws -> Int
    /// Revokes every live grant of the user to one client; returns how many.
    @discardableResult
    func revokeGrants(userID: String, clientID: String, at: Date) async throws -> Int
}
