import Foundation
import TandemCore
import TandemServices

/// The OIDC tables of the in-memory twin (one stored property of `InMemoryStorage`).
struct InMemoryOIDCTables: Sendable {
    var clients: [String: OIDCClient] = [:]
    var authorizationRequests: [String: OIDCAuthorizationRequest] = [:]
    var grants: [String: OIDCGrant] = [:]
    var codes: [String: OIDCAuthorizationCode] = [:]
    var refreshTokens: [String: OIDCRefreshToken] = [:]
    var accessTokens: [String: OIDCAccessTokenRecord] = [:]
    var cibaRequests: [String: CIBARequest] = [:]
    var assertionIDs: Set<String> = []
}

extension InMemoryStorage {
    public func insertOIDCClient(_ client: OIDCClient) throws {
        guard oidc.clients[client.id] == nil, !oidc.clients.values.contains(where: { $0.clientID == client.clientID }) else {
            throw TandemError(.conflict, "An application with that id already exists.")
        }
        oidc.clients[client.id] = client
    }
    public func oidcClient(clientID: String) -> OIDCClient? { oidc.clients.values.first { $0.clientID == clientID } }
    public func oidcClient(id: String) -> OIDCClient? { oidc.clients[id] }
    public func oidcClients() -> [OIDCClient] { oidc.clients.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) } }
    public func updateOIDCClient(_ client: OIDCClient) { if oidc.clients[client.id] != nil { oidc.clients[client.id] = client } }
    public func deleteOIDCClient(id: String) -> Bool { oidc.clients.removeValue(forKey: id) != nil }

    public func insertAuthorizationRequest(_ request: OIDCAuthorizationRequest) { oidc.authorizationRequests[request.id] = request }
    public func authorizationRequest(id: String) -> OIDCAuthorizationRequest? { oidc.authorizationRequests[id] }
    public func takeAuthorizationRequest(id: String) -> Bool { oidc.authorizationRequests.removeValue(forKey: id) != nil }

    public func insertGrant(_ grant: OIDCGrant) { oidc.grants[grant.id] = grant }
    public func grant(id: String) -> OIDCGrant? { oidc.grants[id] }
    public func revokeGrant(id: String, at: Date) -> Bool {
        guard var grant = oidc.grants[id], grant.revokedAt == nil else { return false }
        grant.revokedAt = at
        oidc.grants[id] = grant
        return true
    }

    public func revokeGrants(userID: String, at: Date) -> Int {
        let ids = oidc.grants.values.filter { $0.userID == userID && $0.revokedAt == nil }.map(\.id)
        for id in ids { oidc.grants[id]?.revokedAt = at }
        return ids.count
    }

    public func insertAuthorizationCode(_ code: OIDCAuthorizationCode) { oidc.codes[code.id] = code }
    public func authorizationCode(id: String) -> OIDCAuthorizationCode? { oidc.codes[id] }
    public func useAuthorizationCode(id: String, at: Date) -> Bool {
        guard var code = oidc.codes[id], code.usedAt == nil else { return false }
        code.usedAt = at
        oidc.codes[id] = code
        return true
    }

    public func insertRefreshToken(_ token: OIDCRefreshToken) { oidc.refreshTokens[token.id] = token }
    public func refreshToken(id: String) -> OIDCRefreshToken? { oidc.refreshTokens[id] }
    public func useRefreshToken(id: String, at: Date) -> Bool {
        guard var token = oidc.refreshTokens[id], token.usedAt == nil else { return false }
        token.usedAt = at
        oidc.refreshTokens[id] = token
        return true
    }

    public func insertAccessToken(_ record: OIDCAccessTokenRecord) { oidc.accessTokens[record.id] = record }
    public func accessToken(id: String) -> OIDCAccessTokenRecord? { oidc.accessTokens[id] }
    public func revokeAccessToken(id: String, at: Date) {
        if oidc.accessTokens[id]?.revokedAt == nil { oidc.accessTokens[id]?.revokedAt = at }
    }

    public func insertCIBARequest(_ request: CIBARequest) { oidc.cibaRequests[request.id] = request }
    public func cibaRequest(id: String) -> CIBARequest? { oidc.cibaRequests[id] }
    public func recordCIBAPoll(id: String, at: Date, interval: Int) {
        oidc.cibaRequests[id]?.lastPollAt = at
        oidc.cibaRequests[id]?.interval = interval
    }
    public func redeemCIBARequest(id: String, at: Date) -> Bool {
        guard var request = oidc.cibaRequests[id], request.redeemedAt == nil else { return false }
        request.redeemedAt = at
        oidc.cibaRequests[id] = request
        return true
    }

    public func recordAssertionID(_ jti: String, clientID: String, expiresAt: Date) -> Bool {
        oidc.assertionIDs.insert(clientID + " " + jti).inserted
    }
}
