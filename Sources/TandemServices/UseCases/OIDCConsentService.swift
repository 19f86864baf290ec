import Foundation
import Logging
import TandemCore

/// The consent a signed-in user gives an application for scopes that act as them beyond signing
/// in (OIDC Core §3.1.2.4, RFC 9700 §2.3): today `tandem-admin`. Remembered per user, client and
/// scope; withdrawing it revokes the application's tokens for the user. Audited.
public struct OIDCConsentService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.oidc.consent")) {
        self.env = env
        self.logger = logger
    }

    /// Scopes that need the user's own consent.
    public static let consentScopes: Set<String> = [OIDCTokenIssuer.adminScope]

    /// The scopes a client may actually receive for a signed-in user: `tandem-admin` only when an
    /// administrator enabled the (confidential) application for it; otherwise it is removed.
    public static func grantable(_ scopes: [String], for client: OIDCClient) -> [String] {
        client.mayRequestAdminScope ? scopes : scopes.filter { $0 != OIDCTokenIssuer.adminScope }
    }

    /// Of `scopes`, those the user has not consented to give `clientID` yet.
    public func missing(_ scopes: [String], userID: String, clientID: String) async throws -> [String] {
        let needed = scopes.filter(Self.consentScopes.contains)
        guard !needed.isEmpty else { return [] }
        let given = Set(try await env.storage.consents(userID: userID).filter { $0.clientID == clientID }.map(\.scope))
        return needed.filter { !given.contains($0) }
    }

    /// Remembers the user's consent to give `scopes` to the client.
    public func record(_ scopes: [String], user: User, client: OIDCClient) async throws {
        let now = env.clock.now()
        for scope in scopes where Self.consentScopes.contains(scope) {
            try await env.storage.recordConsent(OIDCConsent(userID: user.id, clientID: client.clientID, scope: scope, grantedAt: now))
            try await Auditor(env: env).record("ApplicationManagement", "Consent to application", "Assign", actor: user, targetType: "Application",
                                               targetID: client.id, targetName: client.displayName, property: "scope", new: scope)
        }
        logger.info("consent given", metadata: ["tandem.user": "\(user.id)", "tandem.client": "\(client.clientID)"])
    }

    public func consents(of user: User) async throws -> [OIDCConsent] {
        try await env.storage.consents(userID: user.id)
    }

    /// Withdraws every consent of the user to the client and revokes the client's grants for the
    /// user (their access and refresh tokens stop working). Returns how many consents there were.
    @discardableResult
    public func revoke(clientID: String, of user: User, by actor: User?) async throws -> Int {
        let count = try await env.storage.deleteConsents(userID: user.id, clientID: clientID, scope: nil)
        try await env.storage.revokeGrants(userID: user.id, clientID: clientID, at: env.clock.now())
        let client = try await env.storage.oidcClient(clientID: clientID)
        try await Auditor(env: env).record("ApplicationManagement", "Remove consent from application", "Unassign", actor: actor,
                                           targetType: "User", targetID: user.id, targetName: user.userPrincipalName,
                                           property: "consent", old: client?.displayName ?? clientID)
        return count
    }
}
