import Foundation
import SQLKit
import TandemCore
import TandemServices

/// `AdminHardeningStore` over SQLKit (migration 110).
extension SQLStore: AdminHardeningStore {
    public func deleteRememberedBrowsers(userID: String) async throws {
        try await db.raw("DELETE FROM remembered_browsers WHERE user_id = \(bind: userID)").run()
    }

    public func setSessionsValidFrom(userID: String, at: Date) async throws {
        try await db.raw("""
            INSERT INTO user_sessions_valid_from (user_id, valid_from) VALUES (\(bind: userID), \(bind: Self.millis(at)))
            ON CONFLICT (user_id) DO UPDATE SET valid_from = excluded.valid_from
            """).run()
    }

    public func sessionsValidFrom(userID: String) async throws -> Date? {
        try await db.raw("SELECT valid_from FROM user_sessions_valid_from WHERE user_id = \(bind: userID)").first()
            .map { Self.date(try $0.decode(column: "valid_from", as: Int64.self)) }
    }

    public func deleteSigningKey(kid: String) async throws {
        try await db.raw("DELETE FROM signing_keys WHERE kid = \(bind: kid)").run()
    }

    public func recordConsent(_ c: OIDCConsent) async throws {
        try await db.raw("""
            INSERT INTO oidc_consents (user_id, client_id, scope, granted_at)
            VALUES (\(bind: c.userID), \(bind: c.clientID), \(bind: c.scope), \(bind: Self.millis(c.grantedAt)))
            ON CONFLICT (user_id, client_id, scope) DO UPDATE SET granted_at = excluded.granted_at
            """).run()
    }

    public func consents(userID: String) async throws -> [OIDCConsent] {
        try await db.raw("SELECT client_id, scope, granted_at FROM oidc_consents WHERE user_id = \(bind: userID) ORDER BY client_id, scope").all()
            .map { row in
                OIDCConsent(userID: userID, clientID: try row.decode(column: "client_id", as: String.self),
                            scope: try row.decode(column: "scope", as: String.self),
                            grantedAt: Self.date(try row.decode(column: "granted_at", as: Int64.self)))
            }
    }

    public func deleteConsents(userID: String, clientID: String, scope: String?) async throws -> Int {
        if let scope {
            return try await db.raw("""
                DELETE FROM oidc_consents WHERE user_id = \(bind: userID) AND client_id = \(bind: clientID) AND scope = \(bind: scope) RETURNING scope
                """).all().count
        }
        return try await db.raw("DELETE FROM oidc_consents WHERE user_id = \(bind: userID) AND client_id = \(bind: clientID) RETURNING scope").all().count
    }

    public func revokeGrants(userID: String, clientID: String, at: Date) async throws -> Int {
        try await db.raw("""
            UPDATE oidc_grants SET revoked_at = \(bind: Self.millis(at))
            WHERE user_id = \(bind: userID) AND client_id = \(bind: clientID) AND revoked_at IS NULL RETURNING id
            """).all().count
    }
}
