import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemServer
import TandemServices
import TandemTesting
import Testing

/// `/v1.0/applications` and the admin API accepting the provider's own access tokens.
@Suite struct OIDCAdminAPITests {
    static let policy = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/microsoftAuthenticator"

    static func call(_ h: OIDCHarness, _ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await h.client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    static func adminToken(_ h: OIDCHarness, role: DirectoryRole) async throws -> String {
        try await GraphClient(h.store, h.client, secretKey: h.secretKey).token(for: "admin-\(role.rawValue.prefix(4))@contoso.com", role: role)
    }

    @Test func applicationsAreRegisteredAndManagedThroughTheGraphShapedAPI() async throws {
        try await OIDCHarness.run { h in
            let admin = try await Self.adminToken(h, role: .globalAdministrator)
            let created = try await Self.call(h, .post, "/v1.0/applications", token: admin, body: """
                {"displayName": "Payroll", "web": {"redirectUris": ["https://payroll.example.com/cb"]}}
                """)
            #expect(created.status == .created, "\(created.text)")
            let app = try OIDCHarness.json(created)
            let id = try #require(app["id"] as? String)
            let appID = try #require(app["appId"] as? String)
            let secret = try #require((app["passwordCredentials"] as? [[String: Any]])?.first?["secretText"] as? String)
            #expect(app["tandemTokenEndpointAuthMethod"] as? String == "client_secret_basic")
            #expect((app["web"] as? [String: Any])?["redirectUris"] as? [String] == ["https://payroll.example.com/cb"])

            let listed = try OIDCHarness.json(try await Self.call(h, .get, "/v1.0/applications", token: admin))
            #expect((listed["value"] as? [[String: Any]])?.count == 1)
            let shown = try OIDCHarness.json(try await Self.call(h, .get, "/v1.0/applications/\(appID)", token: admin))
            #expect((shown["passwordCredentials"] as? [[String: Any]])?.first?["secretText"] is NSNull)

            let patched = try await Self.call(h, .patch, "/v1.0/applications/\(id)", token: admin,
                                              body: #"{"web": {"redirectUris": ["https://payroll.example.com/cb2"]}, "tandemGrantTypes": ["authorization_code"]}"#)
            #expect(patched.status == .noContent, "\(patched.text)")
            let stored = try #require(try await h.store.oidcClient(id: id))
            #expect(stored.redirectURIs == ["https://payroll.example.com/cb2"])
            #expect(stored.grantTypes == [.authorizationCode])

            let added = try OIDCHarness.json(try await Self.call(h, .post, "/v1.0/applications/\(id)/addPassword", token: admin,
                                                                 body: #"{"passwordCredential": {"displayName": "rotation"}}"#))
            let keyID = try #require(added["keyId"] as? String)
            #expect((added["secretText"] as? String)?.isEmpty == false)
            #expect(try await Self.call(h, .post, "/v1.0/applications/\(id)/removePassword", token: admin,
                                        body: #"{"keyId": "\#(keyID)"}"#).status == .noContent)
            #expect(secret.count == 43)
            #expect(try await Self.call(h, .delete, "/v1.0/applications/\(id)", token: admin).status == .noContent)
            #expect(try await Self.call(h, .get, "/v1.0/applications/\(id)", token: admin).status == .notFound)
        }
    }

    @Test(arguments: [
        #"{"displayName": "X", "color": "blue"}"#,
        #"{"displayName": "X", "web": {"redirectUris": ["https://x.example.com/cb#frag"]}}"#,
        #"{"displayName": "X", "web": {"redirectUris": ["http://x.example.com/cb"]}}"#,
        #"{"displayName": "X", "isFallbackPublicClient": true, "tandemGrantTypes": ["client_credentials"]}"#,
        #"{"displayName": "X", "tandemTokenEndpointAuthMethod": "private_key_jwt"}"#,
        #"{"displayName": "X", "tandemGrantTypes": ["urn:openid:params:grant-type:ciba"], "tandemBackchannelTokenDeliveryMode": "ping"}"#,
        #"{"displayName": "X", "tandemDirectoryRoles": ["Chief Wizard"]}"#,
        #"{"web": {"redirectUris": []}}"#,
    ])
    func aBadRegistrationIsRefusedWithAGraphError(_ body: String) async throws {
        try await OIDCHarness.run { h in
            let admin = try await Self.adminToken(h, role: .globalAdministrator)
            let response = try await Self.call(h, .post, "/v1.0/applications", token: admin, body: body)
            #expect(response.status == .badRequest, "\(response.text)")
            #expect(response.graphError?.code == "Request_BadRequest")
        }
    }

    @Test func onlyAGlobalAdministratorRegistersApplications() async throws {
        try await OIDCHarness.run { h in
            let reader = try await Self.adminToken(h, role: .authenticationAdministrator)
            #expect(try await Self.call(h, .get, "/v1.0/applications", token: reader).status == .ok)
            let refused = try await Self.call(h, .post, "/v1.0/applications", token: reader, body: #"{"displayName": "X"}"#)
            #expect(refused.status == .forbidden)
            #expect(try await Self.call(h, .get, "/v1.0/applications", token: nil).status == .unauthorized)
        }
    }

    @Test func anApplicationWithARoleUsesClientCredentialsAtTheAdminAPI() async throws {
        try await OIDCHarness.run { h in
            let (app, secret) = try await h.register(OIDCClientDraft(displayName: "Automation", roles: ["Authentication Policy Administrator"]))
            let basic = (app.clientID, secret ?? "")
            let token = try #require(try OIDCHarness.json(try await h.post("/oauth2/token", ["grant_type": "client_credentials",
                                                                                             "scope": "tandem-admin"], basic: basic))["access_token"] as? String)
            #expect(try await Self.call(h, .get, Self.policy, token: token).status == .ok)
            // A role the application does not hold.
            let users = try await Self.call(h, .post, "/v1.0/users", token: token, body: #"{"userPrincipalName": "x@contoso.com"}"#)
            #expect(users.status == .forbidden)
            // Changes are audited with the application as the initiator.
            let patch = try await Self.call(h, .patch, Self.policy, token: token, body: #"{"state": "enabled"}"#)
            #expect(patch.status == .noContent, "\(patch.text)")
            let audits = try await h.store.audits(limit: 10, before: nil)
            #expect(audits.contains { $0.initiatedByID == app.clientID && $0.initiatedByName == "Automation" })
            // Taking the role away applies to the same token at once.
            var stripped = OIDCClientDraft(app)
            stripped.roles = []
            _ = try await OIDCClientRegistry(env: h.env).update(app, with: stripped, by: nil)
            #expect(try await Self.call(h, .get, Self.policy, token: token).status == .forbidden)
        }
    }

    @Test func anApplicationWithoutARoleIsForbiddenAndARevokedTokenIsUnauthorized() async throws {
        try await OIDCHarness.run { h in
            let (app, secret) = try await h.register(OIDCClientDraft(displayName: "Plain app"))
            let basic = (app.clientID, secret ?? "")
            let token = try #require(try OIDCHarness.json(try await h.post("/oauth2/token", ["grant_type": "client_credentials"], basic: basic))["access_token"] as? String)
            #expect(try await Self.call(h, .get, Self.policy, token: token).status == .forbidden)
            try await h.post("/oauth2/revoke", ["token": token], basic: basic)
            let revoked = try await Self.call(h, .get, Self.policy, token: token)
            #expect(revoked.status == .unauthorized)
            #expect(revoked.graphError?.code == "InvalidAuthenticationToken")
        }
    }

    @Test func aUsersTokenWithTheAdminScopeCarriesTheirRoles() async throws {
        try await OIDCHarness.run { h in
            let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
            _ = try await h.store.assignRole(DirectoryRole.globalAdministrator.rawValue, userID: alice.id)
            let (client, secret) = try await h.register(OIDCClientDraft(displayName: "Admin console", redirectURIs: [h.redirect], adminScopeEnabled: true))
            let browser = try await h.signedInBrowser()
            let code = try await h.consentedCode(for: client, browser: browser)
            let tokens = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let access = try #require(tokens["access_token"] as? String)
            #expect(try OIDCHarness.claims(access)["wids"] as? [String] == [DirectoryRole.globalAdministrator.rawValue])
            #expect(try await Self.call(h, .get, "/v1.0/users", token: access).status == .ok)
            // Without the admin scope the token is not for the admin API.
            let plain = try await h.code(for: client, challenge: nil, browser: browser, scope: "openid")
            let other = try #require(try OIDCHarness.json(try await h.exchange(plain, verifier: nil, client: client, secret: secret))["access_token"] as? String)
            #expect(try await Self.call(h, .get, "/v1.0/users", token: other).status == .unauthorized)
        }
    }
}
