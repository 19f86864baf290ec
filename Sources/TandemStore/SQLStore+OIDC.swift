import Foundation
import SQLKit
import TandemCore
import TandemServices

/// `OIDCStore` over SQLKit. Documents go to `body` as JSON; the columns a query or a
/// compare-and-set needs (`used_at`, `revoked_at`, `redeemed_at`, poll times) are authoritative
/// and merged into the value read back.
extension SQLStore: OIDCStore {
    static func encodeBody(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func decodeBody<T: Decodable>(_ type: T.Type, _ row: any SQLRow) throws -> T {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        return try decoder.decode(T.self, from: Data(try row.decode(column: "body", as: String.self).utf8))
    }

    // MARK: clients

    public func insertOIDCClient(_ client: OIDCClient) async throws {
        let inserted = try await db.raw("""
            INSERT INTO oidc_clients (id, client_id, body, created_at)
            VALUES (\(bind: client.id), \(bind: client.clientID), \(bind: try Self.encodeBody(client)), \(bind: Self.millis(client.createdAt)))
            ON CONFLICT DO NOTHING RETURNING id
            """).first()
        guard inserted != nil else { throw TandemError(.conflict, "An application with that id already exists.") }
    }

    public func oidcClient(clientID: String) async throws -> OIDCClient? {
        try await db.raw("SELECT body FROM oidc_clients WHERE client_id = \(bind: clientID)").first()
            .map { try Self.decodeBody(OIDCClient.self, $0) }
    }

    public func oidcClient(id: String) async throws -> OIDCClient? {
        try await db.raw("SELECT body FROM oidc_clients WHERE id = \(bind: id)").first()
            .map { try Self.decodeBody(OIDCClient.self, $0) }
    }

    public func oidcClients() async throws -> [OIDCClient] {
        try await db.raw("SELECT body FROM oidc_clients ORDER BY created_at, id").all()
            .map { try Self.decodeBody(OIDCClient.self, $0) }
    }

    public func updateOIDCClient(_ client: OIDCClient) async throws {
        try await db.raw("UPDATE oidc_clients SET body = \(bind: try Self.encodeBody(client)) WHERE id = \(bind: client.id)").run()
    }

    public func deleteOIDCClient(id: String) async throws -> Bool {
        try await db.raw("DELETE FROM oidc_clients WHERE id = \(bind: id) RETURNING id").first() != nil
    }

    // MARK: authorization requests

    public func insertAuthorizationRequest(_ r: OIDCAuthorizationRequest) async throws {
        try await db.raw("""
            INSERT INTO oidc_authorization_requests (id, client_id, body, expires_at)
            VALUES (\(bind: r.id), \(bind: r.clientID), \(bind: try Self.encodeBody(r)), \(bind: Self.millis(r.expiresAt)))
            """).run()
    }

    public func authorizationRequest(id: String) async throws -> OIDCAuthorizationRequest? {
        try await db.raw("SELECT body FROM oidc_authorization_requests WHERE id = \(bind: id)").first()
            .map { try Self.decodeBody(OIDCAuthorizationRequest.self, $0) }
    }

    public func takeAuthorizationRequest(id: String) async throws -> Bool {
        try await db.raw("DELETE FROM oidc_authorization_requests WHERE id = \(bind: id) RETURNING id").first() != nil
    }

    // MARK: grants

    public func insertGrant(_ g: OIDCGrant) async throws {
        try await db.raw("""
            INSERT INTO oidc_grants (id, client_id, user_id, body, created_at, revoked_at)
            VALUES (\(bind: g.id), \(bind: g.clientID), \(bind: g.userID), \(bind: try Self.encodeBody(g)),
                    \(bind: Self.millis(g.createdAt)), \(bind: g.revokedAt.map(Self.millis)))
            """).run()
    }

    public func grant(id: String) async throws -> OIDCGrant? {
        try await db.raw("SELECT body, revoked_at FROM oidc_grants WHERE id = \(bind: id)").first().map { row in
            var grant = try Self.decodeBody(OIDCGrant.self, row)
            grant.revokedAt = Self.date(try row.decode(column: "revoked_at", as: Int64?.self))
            return grant
        }
    }

    public func revokeGrant(id: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE oidc_grants SET revoked_at = \(bind: Self.millis(at)) WHERE id = \(bind: id) AND revoked_at IS NULL RETURNING id
            """).first() != nil
    }

    public func revokeGrants(userID: String, at: Date) async throws -> Int {
        try await db.raw("UPDATE oidc_grants SET revoked_at = \(bind: Self.millis(at)) WHERE user_id = \(bind: userID) AND revoked_at IS NULL RETURNING id").all().count
    }

    // MARK: codes

    public func insertAuthorizationCode(_ c: OIDCAuthorizationCode) async throws {
        try await db.raw("""
            INSERT INTO oidc_codes (id, grant_id, client_id, body, expires_at, used_at)
            VALUES (\(bind: c.id), \(bind: c.grantID), \(bind: c.clientID), \(bind: try Self.encodeBody(c)),
                    \(bind: Self.millis(c.expiresAt)), \(bind: c.usedAt.map(Self.millis)))
            """).run()
    }

    public func authorizationCode(id: String) async throws -> OIDCAuthorizationCode? {
        try await db.raw("SELECT body, used_at FROM oidc_codes WHERE id = \(bind: id)").first().map { row in
            var code = try Self.decodeBody(OIDCAuthorizationCode.self, row)
            code.usedAt = Self.date(try row.decode(column: "used_at", as: Int64?.self))
            return code
        }
    }

    public func useAuthorizationCode(id: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE oidc_codes SET used_at = \(bind: Self.millis(at)) WHERE id = \(bind: id) AND used_at IS NULL RETURNING id
            """).first() != nil
    }

    // MARK: refresh tokens

    public func insertRefreshToken(_ t: OIDCRefreshToken) async throws {
        try await db.raw("""
            INSERT INTO oidc_refresh_tokens (id, grant_id, client_id, created_at, expires_at, used_at)
            VALUES (\(bind: t.id), \(bind: t.grantID), \(bind: t.clientID), \(bind: Self.millis(t.createdAt)),
                    \(bind: Self.millis(t.expiresAt)), \(bind: t.usedAt.map(Self.millis)))
            """).run()
    }

    public func refreshToken(id: String) async throws -> OIDCRefreshToken? {
        try await db.raw("SELECT id, grant_id, client_id, created_at, expires_at, used_at FROM oidc_refresh_tokens WHERE id = \(bind: id)")
            .first().map { row in
                OIDCRefreshToken(id: try row.decode(column: "id", as: String.self),
                                 grantID: try row.decode(column: "grant_id", as: String.self),
                                 clientID: try row.decode(column: "client_id", as: String.self),
                                 createdAt: Self.date(try row.decode(column: "created_at", as: Int64.self)),
                                 expiresAt: Self.date(try row.decode(column: "expires_at", as: Int64.self)),
                                 usedAt: Self.date(try row.decode(column: "used_at", as: Int64?.self)))
            }
    }

    public func useRefreshToken(id: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE oidc_refresh_tokens SET used_at = \(bind: Self.millis(at)) WHERE id = \(bind: id) AND used_at IS NULL RETURNING id
            """).first() != nil
    }

    // MARK: access tokens

    public func insertAccessToken(_ r: OIDCAccessTokenRecord) async throws {
        try await db.raw("""
            INSERT INTO oidc_access_tokens (id, grant_id, client_id, created_at, expires_at, revoked_at)
            VALUES (\(bind: r.id), \(bind: r.grantID), \(bind: r.clientID), \(bind: Self.millis(r.createdAt)),
                    \(bind: Self.millis(r.expiresAt)), \(bind: r.revokedAt.map(Self.millis)))
            """).run()
    }

    public func accessToken(id: String) async throws -> OIDCAccessTokenRecord? {
        try await db.raw("SELECT id, grant_id, client_id, created_at, expires_at, revoked_at FROM oidc_access_tokens WHERE id = \(bind: id)")
            .first().map { row in
                OIDCAccessTokenRecord(id: try row.decode(column: "id", as: String.self),
                                      grantID: try row.decode(column: "grant_id", as: String.self),
                                      clientID: try row.decode(column: "client_id", as: String.self),
                                      createdAt: Self.date(try row.decode(column: "created_at", as: Int64.self)),
                                      expiresAt: Self.date(try row.decode(column: "expires_at", as: Int64.self)),
                                      revokedAt: Self.date(try row.decode(column: "revoked_at", as: Int64?.self)))
            }
    }

    public func revokeAccessToken(id: String, at: Date) async throws {
        try await db.raw("UPDATE oidc_access_tokens SET revoked_at = \(bind: Self.millis(at)) WHERE id = \(bind: id) AND revoked_at IS NULL").run()
    }

    // MARK: CIBA

    public func insertCIBARequest(_ r: CIBARequest) async throws {
        try await db.raw("""
            INSERT INTO oidc_ciba_requests (id, client_id, body, interval_seconds, last_poll_at, expires_at, redeemed_at)
            VALUES (\(bind: r.id), \(bind: r.clientID), \(bind: try Self.encodeBody(r)), \(bind: r.interval),
                    \(bind: r.lastPollAt.map(Self.millis)), \(bind: Self.millis(r.expiresAt)), \(bind: r.redeemedAt.map(Self.millis)))
            """).run()
    }

    public func cibaRequest(id: String) async throws -> CIBARequest? {
        try await db.raw("SELECT body, interval_seconds, last_poll_at, redeemed_at FROM oidc_ciba_requests WHERE id = \(bind: id)")
            .first().map { row in
                var request = try Self.decodeBody(CIBARequest.self, row)
                request.interval = try row.decode(column: "interval_seconds", as: Int.self)
                request.lastPollAt = Self.date(try row.decode(column: "last_poll_at", as: Int64?.self))
                request.redeemedAt = Self.date(try row.decode(column: "redeemed_at", as: Int64?.self))
                return request
            }
    }

    public func recordCIBAPoll(id: String, at: Date, interval: Int) async throws {
        try await db.raw("""
            UPDATE oidc_ciba_requests SET last_poll_at = \(bind: Self.millis(at)), interval_seconds = \(bind: interval) WHERE id = \(bind: id)
            """).run()
    }

    public func redeemCIBARequest(id: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE oidc_ciba_requests SET redeemed_at = \(bind: Self.millis(at)) WHERE id = \(bind: id) AND redeemed_at IS NULL RETURNING id
            """).first() != nil
    }

    // MARK: client assertions

    public func recordAssertionID(_ jti: String, clientID: String, expiresAt: Date) async throws -> Bool {
        let key = SecretDigest.of(clientID + " " + jti)
        return try await db.raw("""
            INSERT INTO oidc_assertion_ids (id, expires_at) VALUES (\(bind: key), \(bind: Self.millis(expiresAt)))
            ON CONFLICT DO NOTHING RETURNING id
            """).first() != nil
    }
}
