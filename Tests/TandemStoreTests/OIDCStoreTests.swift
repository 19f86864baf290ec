import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// `OIDCStore` behaves the same on every backend: documents round-trip, and every single-use step
/// is a compare-and-set that only one caller wins.
@Suite struct OIDCStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func client(_ id: String = UUID().uuidString) -> OIDCClient {
        OIDCClient(id: id, clientID: UUID().uuidString, displayName: "Payroll", authMethod: .clientSecretBasic,
                   redirectURIs: ["https://payroll.example.com/cb"], grantTypes: [.authorizationCode, .ciba],
                   secrets: [OIDCClient.Secret(keyID: "k1", displayName: nil, hint: "abc", digest: "d", createdAt: t0, expiresAt: t0 + 100)],
                   jwks: #"{"keys":[]}"#, deliveryMode: .poll, roles: [DirectoryRole.globalAdministrator.rawValue], createdAt: t0)
    }

    @Test(arguments: Backend.allCases)
    func clientsRoundTripAndTheirIdsAreUnique(_ backend: Backend) async throws {
        try await OpenStore.with(backend) { store in
            var client = Self.client()
            try await store.insertOIDCClient(client)
            #expect(try await store.oidcClient(clientID: client.clientID) == client)
            #expect(try await store.oidcClient(id: client.id) == client)
            var clash = Self.client()
            clash.clientID = client.clientID
            await #expect(throws: TandemError(.conflict, "")) { try await store.insertOIDCClient(clash) }
            client.displayName = "Payroll 2"
            try await store.updateOIDCClient(client)
            #expect(try await store.oidcClients().map(\.displayName) == ["Payroll 2"])
            #expect(try await store.deleteOIDCClient(id: client.id))
            #expect(try await store.deleteOIDCClient(id: client.id) == false)
        }
    }

    @Test(arguments: Backend.allCases)
    func codesRefreshTokensAndRequestsAreUsedOnce(_ backend: Backend) async throws {
        try await OpenStore.with(backend) { store in
            let code = OIDCAuthorizationCode(id: "c1", grantID: "g1", clientID: "x", redirectURI: "https://a/cb", codeChallenge: "ch",
                                             nonce: "n", createdAt: Self.t0, expiresAt: Self.t0 + 60)
            try await store.insertAuthorizationCode(code)
            #expect(try await store.authorizationCode(id: "c1") == code)
            #expect(try await store.useAuthorizationCode(id: "c1", at: Self.t0 + 1))
            #expect(try await store.useAuthorizationCode(id: "c1", at: Self.t0 + 2) == false)
            #expect(try await store.authorizationCode(id: "c1")?.usedAt == Self.t0 + 1)

            try await store.insertRefreshToken(OIDCRefreshToken(id: "r1", grantID: "g1", clientID: "x", createdAt: Self.t0, expiresAt: Self.t0 + 60))
            #expect(try await store.useRefreshToken(id: "r1", at: Self.t0 + 1))
            #expect(try await store.useRefreshToken(id: "r1", at: Self.t0 + 2) == false)

            let request = OIDCAuthorizationRequest(id: "a1", clientID: "x", redirectURI: "https://a/cb", scopes: ["openid"], state: "s", nonce: nil,
                                                   codeChallenge: nil, codeChallengeMethod: nil, prompt: ["login"], maxAge: 5, loginHint: nil,
                                                   createdAt: Self.t0, expiresAt: Self.t0 + 60)
            try await store.insertAuthorizationRequest(request)
            #expect(try await store.authorizationRequest(id: "a1") == request)
            #expect(try await store.takeAuthorizationRequest(id: "a1"))
            #expect(try await store.takeAuthorizationRequest(id: "a1") == false)

            #expect(try await store.recordAssertionID("j1", clientID: "x", expiresAt: Self.t0 + 60))
            #expect(try await store.recordAssertionID("j1", clientID: "x", expiresAt: Self.t0 + 60) == false)
            #expect(try await store.recordAssertionID("j1", clientID: "y", expiresAt: Self.t0 + 60))
        }
    }

    @Test(arguments: Backend.allCases)
    func grantsAndAccessTokensAreRevokedOnce(_ backend: Backend) async throws {
        try await OpenStore.with(backend) { store in
            let grant = OIDCGrant(id: "g1", clientID: "x", userID: nil, scopes: ["tandem-admin"], methods: [], authTime: nil, createdAt: Self.t0)
            try await store.insertGrant(grant)
            #expect(try await store.grant(id: "g1") == grant)
            #expect(try await store.revokeGrant(id: "g1", at: Self.t0 + 1))
            #expect(try await store.revokeGrant(id: "g1", at: Self.t0 + 2) == false)
            #expect(try await store.grant(id: "g1")?.revokedAt == Self.t0 + 1)

            try await store.insertAccessToken(OIDCAccessTokenRecord(id: "j1", grantID: "g1", clientID: "x", createdAt: Self.t0, expiresAt: Self.t0 + 60))
            try await store.revokeAccessToken(id: "j1", at: Self.t0 + 3)
            try await store.revokeAccessToken(id: "j1", at: Self.t0 + 4)
            #expect(try await store.accessToken(id: "j1")?.revokedAt == Self.t0 + 3)
        }
    }

    @Test(arguments: Backend.allCases)
    func cibaRequestsRecordPollsAndAreRedeemedOnce(_ backend: Backend) async throws {
        try await OpenStore.with(backend) { store in
            let request = CIBARequest(id: "b1", clientID: "x", userID: "u", challengeID: "c", scopes: ["openid"], bindingMessage: "W-1",
                                      notificationToken: nil, interval: 5, createdAt: Self.t0, expiresAt: Self.t0 + 120)
            try await store.insertCIBARequest(request)
            #expect(try await store.cibaRequest(id: "b1") == request)
            try await store.recordCIBAPoll(id: "b1", at: Self.t0 + 1, interval: 10)
            let polled = try await store.cibaRequest(id: "b1")
            #expect(polled?.lastPollAt == Self.t0 + 1 && polled?.interval == 10)
            #expect(try await store.redeemCIBARequest(id: "b1", at: Self.t0 + 2))
            #expect(try await store.redeemCIBARequest(id: "b1", at: Self.t0 + 3) == false)
        }
    }
}
