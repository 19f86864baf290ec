import Foundation
import Logging
import TandemCore

/// Ends everything a user is signed in with (OWASP ASVS 5.0 V7.4: after a report of fraud or a
/// change of factor, every session ends): browser sessions, remembered-MFA browsers, OpenID
/// Connect grants (codes, access and refresh tokens), and admin API tokens issued before now
/// (Graph's `signInSessionsValidFromDateTime`). Audited.
///
/// Call it after "No, it's not me", an administrator's password reset, an authenticator removed,
/// phone sign-in enabled, or an administrator's `revokeSignInSessions`.
public struct SessionRevocation: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.revocation")) {
        self.env = env
        self.logger = logger
    }

    /// Why the sessions end; the audit log's `newValue`.
    public enum Reason: String, Sendable {
        case suspiciousActivityReported
        case passwordReset
        case authenticatorRemoved
        case authenticatorAdded
        case phoneSignInEnabled
        case administratorRevoked
        case other
    }

    /// Ends every session, remembered browser, grant and token of the user. `actor` is who asked
    /// (`nil` for the system or the command line); the boundary check (`AdminAccess`) is the caller's.
    ///
    /// The stored part and its audit entry are one transaction; `env.revocation` runs after it.
    public func revokeEverything(userID: String, reason: Reason, by actor: User? = nil) async throws {
        try await env.transaction { env in
            try await SessionRevocation(env: env, logger: logger).revokeStored(userID: userID, reason: reason, by: actor)
        }
        try await revokeBeyondStore(userID: userID, reason: reason)
    }

    /// The stored part of `revokeEverything` with its audit entry, for a caller's transaction
    /// (`env.storage` is the transaction); the caller calls `revokeBeyondStore` after committing.
    func revokeStored(userID: String, reason: Reason, by actor: User?) async throws {
        let now = env.clock.now()
        try await env.storage.setSessionsValidFrom(userID: userID, at: now)
        try await env.storage.deleteSessions(userID: userID)
        try await env.storage.deleteRememberedBrowsers(userID: userID)
        try await env.storage.revokeGrants(userID: userID, at: now)
        let user = try await env.storage.user(id: userID)
        try await Auditor(env: env).record("UserManagement", "Revoke sign-in sessions", "Update", actor: actor, targetType: "User",
                                           targetID: userID, targetName: user?.userPrincipalName,
                                           property: "signInSessionsValidFromDateTime", new: reason.rawValue)
    }

    /// What `revokeEverything` does outside the store (tokens elsewhere), once the stored part is committed.
    func revokeBeyondStore(userID: String, reason: Reason) async throws {
        try await env.revocation.revokeAll(userID: userID)
        logger.notice("every session of the user ended", metadata: ["tandem.user": "\(userID)", "tandem.reason": "\(reason.rawValue)"])
    }

    /// Whether a token issued at `issuedAt` to the user is still within the user's sessions
    /// (not issued before the last revocation).
    public func isCurrent(userID: String, issuedAt: Date) async throws -> Bool {
        guard let from = try await env.storage.sessionsValidFrom(userID: userID) else { return true }
        return issuedAt >= from
    }
}
