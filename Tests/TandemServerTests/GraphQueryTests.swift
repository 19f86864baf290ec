import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TandemCore
@testable import TandemServer
import TandemServices
import TandemStore
import Testing

/// Decision 0026: one OData parser for every collection; what it cannot do is a 400, never ignored.
@Suite("OData $filter parser")
struct ODataFilterParserTests {
    @Test("Graph's filters parse into the expected tree")
    func parses() throws {
        #expect(try ODataFilter.parse("userPrincipalName eq 'bob@contoso.com'") == .compare(property: "userPrincipalName", .eq, .string("bob@contoso.com")))
        #expect(try ODataFilter.parse("startsWith(displayName,'B') OR accountEnabled eq false")
            == .or(.function(.startsWith, property: "displayName", .string("B")), .compare(property: "accountEnabled", .eq, .bool(false))))
        #expect(try ODataFilter.parse("id in ('a', 'b') and (mail eq null or not (displayName eq 'O''Neil'))")
            == .and(.isIn(property: "id", [.string("a"), .string("b")]),
                    .or(.compare(property: "mail", .eq, .null), .not(.compare(property: "displayName", .eq, .string("O'Neil"))))))
        #expect(try ODataFilter.parse("status/errorCode ne 0 and createdDateTime ge 2026-12-01T00:00:00Z")
            == .and(.compare(property: "status/errorCode", .ne, .number(0)),
                    .compare(property: "createdDateTime", .ge, .date(Date(timeIntervalSince1970: 1_796_083_200)))))
    }

    @Test("What is not a filter is a 400 naming the problem", arguments: [
        "nonsense", "userPrincipalName eq", "userPrincipalName eq 'open", "(displayName eq 'a'", "displayName eq 'a')",
        "displayName like 'a'", "contains(displayName,'a')", "displayName eq bob", "and", "displayName eq 'a' and", "id in ()",
        "startsWith(displayName 'a')", "displayName eq 'a' # x",
        // Bounded so no recursion over the tree can run deep: 32 levels, 100 clauses.
        String(repeating: "(", count: 40) + "id eq 'a'" + String(repeating: ")", count: 40),
        String(repeating: "not ", count: 40) + "id eq 'a'",
        (0...100).map { "id eq '\($0)'" }.joined(separator: " or "),
    ])
    func refuses(_ text: String) throws {
        #expect(throws: TandemError.self) {
            let filter = try ODataFilter.parse(text)
            try GraphSchemas.user.check(filter, advancedQuery: true)
        }
    }
}

@Suite("Graph query options over HTTP")
struct GraphQueryTests {
    static let eventual: HTTPFields = [HTTPField.Name("ConsistencyLevel")!: "eventual"]

    /// bob (enabled), carol (disabled), dave; group Pilot holds bob and the group Ring1, which holds carol.
    static func directory(_ graph: GraphClient) async throws -> (token: String, bob: User, carol: User, pilot: String, ring: String) {
        let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
        let admin = DirectoryAdminService(env: graph.env)
        let bob = try await admin.createUser(userPrincipalName: "bob@contoso.com", displayName: "Bob Builder", password: "password-bob", accountEnabled: true, by: nil)
        let carol = try await admin.createUser(userPrincipalName: "carol@fabrikam.com", displayName: "Carol O'Neil", password: nil, accountEnabled: false, by: nil)
        _ = try await admin.createUser(userPrincipalName: "dave@contoso.com", displayName: "Dave", password: nil, accountEnabled: true, by: nil)
        let pilot = try await admin.createGroup(displayName: "Pilot users", description: "first ring", mailNickname: "pilot", by: nil)
        let ring = try await admin.createGroup(displayName: "Ring1", description: nil, mailNickname: "ring1", by: nil)
        try await admin.addMember(bob.id, to: pilot, by: nil)
        try await admin.addMember(ring.id, to: pilot, by: nil)
        try await admin.addMember(carol.id, to: ring, by: nil)
        _ = try await graph.store.assignRole(DirectoryRole.authenticationAdministrator.rawValue, userID: bob.id)
        return (token, bob, carol, pilot.id, ring.id)
    }

    static func get(_ graph: GraphClient, _ uri: String, token: String?, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await graph.client.execute(uri: uri, method: .get, headers: headers, body: nil)
    }

    static func object(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    static func upns(_ response: TestResponse) throws -> [String] {
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try #require(try object(response)["value"] as? [[String: Any]]).compactMap { $0["userPrincipalName"] as? String }.sorted()
    }

    @Test("$filter selects users with eq, startsWith, in, and/or, parentheses; ne and not in an advanced query")
    func filtersUsers() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let d = try await Self.directory(graph)
            func users(_ filter: String, _ headers: HTTPFields = [:], count: Bool = false) async throws -> [String] {
                let encoded = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                return try Self.upns(try await Self.get(graph, "/v1.0/users?$filter=\(encoded)\(count ? "&$count=true" : "")", token: d.token, headers: headers))
            }
            #expect(try await users("userPrincipalName eq 'BOB@contoso.com'") == ["bob@contoso.com"])
            #expect(try await users("startswith(displayName,'car')") == ["carol@fabrikam.com"])
            #expect(try await users("accountEnabled eq false") == ["carol@fabrikam.com"])
            #expect(try await users("id in ('\(d.bob.id)', '\(d.carol.id)')") == ["bob@contoso.com", "carol@fabrikam.com"])
            #expect(try await users("startsWith(userPrincipalName,'d') or (displayName eq 'Carol O''Neil' and accountEnabled eq false)")
                == ["carol@fabrikam.com", "dave@contoso.com"])
            #expect(try await users("mail eq null and startsWith(displayName, 'Bob')") == ["bob@contoso.com"])
            // The same query with + for spaces (form encoding) as with %20.
            let plus = try await Self.get(graph, "/v1.0/users?$filter=userPrincipalName+eq+'dave%40contoso.com'", token: d.token)
            #expect(try Self.upns(plus) == ["dave@contoso.com"])
            // ne / not / endsWith only with ConsistencyLevel: eventual and $count=true, as in Graph.
            let ne = try await Self.get(graph, "/v1.0/users?$filter=accountEnabled%20ne%20true", token: d.token)
            #expect(ne.status == .badRequest && ne.graphError?.code == "Request_UnsupportedQuery")
            let advanced = try await users("accountEnabled ne true", Self.eventual, count: true)
            #expect(advanced == ["carol@fabrikam.com"])
            let ends = try await users("endswith(userPrincipalName,'@fabrikam.com') or not(startsWith(displayName,'A'))", Self.eventual, count: true)
            #expect(ends == ["bob@contoso.com", "carol@fabrikam.com", "dave@contoso.com"])
            // Groups: the same parser on the group's properties.
            let groups = try await Self.get(graph, "/v1.0/groups?$filter=startsWith(displayName,'pilot')%20and%20securityEnabled%20eq%20true", token: d.token)
            #expect(try #require(try Self.object(groups)["value"] as? [[String: Any]]).compactMap { $0["id"] as? String } == [d.pilot])
        }, mode: .live)
    }

    @Test("What Tandem cannot do with a query is Graph's 400, never the whole directory", arguments: [
        "/v1.0/users?$filter=nonsense", "/v1.0/users?$filter=userPrincipalName%20eq", "/v1.0/users?$filter=shoeSize%20eq%20'x'",
        "/v1.0/users?$filter=contains(displayName,'a')", "/v1.0/users?$filter=accountEnabled%20eq%20'yes'", "/v1.0/users?$filter=",
        "/v1.0/users?$orderby=createdDateTime", "/v1.0/users?$orderby=displayName%20sideways",
        "/v1.0/users?$orderby=displayName&$filter=accountEnabled%20eq%20true", "/v1.0/groups?$orderby=mailNickname", "/v1.0/users?$skip=2", "/v1.0/users?$format=json", "/v1.0/users?$levels=2",
        "/v1.0/users?filter=accountEnabled%20eq%20false", "/v1.0/users?$filter=id%20eq%20'a'&$filter=id%20eq%20'b'",
        "/v1.0/users?$search=%22displayName:bob%22", "/v1.0/users?$count=true", "/v1.0/users/$count", "/v1.0/users?$expand=manager",
        "/v1.0/users?$expand=memberOf($filter=id%20eq%20'a')", "/v1.0/groups?$filter=displayName%20ne%20'x'", "/v1.0/groups?$expand=owners",
        "/v1.0/directoryRoles?$filter=displayName%20eq%20'x'", "/v1.0/identityProtection/riskyUsers?$top=1",
        "/v1.0/groups/x/members?$filter=id%20eq%20'a'", "/v1.0/auditLogs/signIns?$filter=status/errorCode%20eq%20'x'",
        "/v1.0/auditLogs/signIns?$search=%22x%22", "/v1.0/auditLogs/directoryAudits?$filter=category%20gt%20'x'",
        "/v1.0/users/bob%zz", "/v1.0/policies/authenticationMethodsPolicy?$select=id",
    ])
    func refuses(_ uri: String) async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            let response = try await Self.get(graph, uri, token: token)
            #expect(response.status == .badRequest, "\(uri): \(String(buffer: response.body))")
            let error = try #require(response.graphError, "\(uri)")
            #expect(["Request_BadRequest", "Request_UnsupportedQuery"].contains(error.code) && !error.message.isEmpty)
        }, mode: .live)
    }

    @Test("$search, $count, /$count and $expand with ConsistencyLevel: eventual; the next link keeps the filter")
    func searchCountExpand() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let d = try await Self.directory(graph)
            let search = try await Self.get(graph, "/v1.0/users?$search=%22displayName:build%22&$count=true", token: d.token, headers: Self.eventual)
            #expect(try Self.upns(search) == ["bob@contoso.com"])
            #expect(try Self.object(search)["@odata.count"] as? Int == 1)
            let either = try await Self.get(graph, "/v1.0/users?$search=%22displayName:dav%22%20OR%20%22displayName:neil%22", token: d.token, headers: Self.eventual)
            #expect(try Self.upns(either) == ["carol@fabrikam.com", "dave@contoso.com"])
            let count = try await Self.get(graph, "/v1.0/users/$count?$filter=accountEnabled%20eq%20true", token: d.token, headers: Self.eventual)
            #expect(count.status == .ok && String(buffer: count.body) == "4")   // admin, alice, bob, dave
            #expect(String(buffer: try await Self.get(graph, "/v1.0/groups/$count", token: d.token, headers: Self.eventual).body) == "2")

            let groups = try Self.object(try await Self.get(graph, "/v1.0/groups?$filter=id%20eq%20'\(d.pilot)'&$expand=members($select=id,displayName)", token: d.token))
            let pilot = try #require((groups["value"] as? [[String: Any]])?.first)
            let members = try #require(pilot["members"] as? [[String: Any]])
            #expect(Set(members.compactMap { $0["id"] as? String }) == [d.bob.id, d.ring])
            #expect(members.allSatisfy { Set($0.keys).isSubset(of: ["id", "displayName", "@odata.type"]) })
            let bob = try Self.object(try await Self.get(graph, "/v1.0/users/\(d.bob.id)?$expand=memberOf&$select=displayName", token: d.token))
            let memberOf = try #require(bob["memberOf"] as? [[String: Any]])
            #expect(Set(memberOf.compactMap { $0["@odata.type"] as? String }) == ["#microsoft.graph.group", "#microsoft.graph.directoryRole"])
            #expect(bob["userPrincipalName"] == nil && bob["displayName"] as? String == "Bob Builder")

            let first = try Self.object(try await Self.get(graph, "/v1.0/users?$top=1&$filter=endsWith(userPrincipalName,'@contoso.com')&$count=true",
                                                           token: d.token, headers: Self.eventual))
            #expect(first["@odata.count"] as? Int == 4)
            var next = first["@odata.nextLink"] as? String
            var seen = try #require(first["value"] as? [[String: Any]]).compactMap { $0["userPrincipalName"] as? String }
            while let link = next {
                let path = String(link[try #require(link.range(of: "/v1.0/")).lowerBound...])
                let page = try Self.object(try await Self.get(graph, path, token: d.token, headers: Self.eventual))
                seen += try #require(page["value"] as? [[String: Any]]).compactMap { $0["userPrincipalName"] as? String }
                next = page["@odata.nextLink"] as? String
            }
            #expect(seen.sorted() == ["admin@contoso.com", "alice@contoso.com", "bob@contoso.com", "dave@contoso.com"])
        }, mode: .live)
    }

    @Test("$orderby displayName or userPrincipalName, ascending or descending, pages through every user once in order")
    func orderBy() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let d = try await Self.directory(graph)
            func all(_ first: String, _ headers: HTTPFields = [:]) async throws -> [String] {
                var names: [String] = []
                var next: String? = first
                while let uri = next {
                    let page = try Self.object(try await Self.get(graph, uri, token: d.token, headers: headers))
                    names += try #require(page["value"] as? [[String: Any]]).compactMap { $0["displayName"] as? String }
                    next = (page["@odata.nextLink"] as? String).map { String($0[$0.range(of: "/v1.0/")!.lowerBound...]) }
                }
                return names
            }
            let ascending = try await all("/v1.0/users?$orderby=displayName&$top=2")
            #expect(ascending == ["admin", "Alice", "Bob Builder", "Carol O'Neil", "Dave"])
            #expect(try await all("/v1.0/users?$orderby=displayName%20desc&$top=2") == ascending.reversed())
            let byName = try await all("/v1.0/users?$orderby=userPrincipalName%20desc&$top=3&$filter=accountEnabled%20eq%20true&$count=true", Self.eventual)
            #expect(byName == ["Dave", "Bob Builder", "Alice", "admin"])
            #expect(try await all("/v1.0/groups?$orderby=displayName%20desc") == ["Ring1", "Pilot users"])
        }, mode: .live)
    }

    @Test("Path parameters are percent-decoded once: /users/bob%40contoso.com, a group id, a role by name")
    func decodesPathParameters() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let d = try await Self.directory(graph)
            let bob = try await Self.get(graph, "/v1.0/users/bob%40contoso.com", token: d.token)
            #expect(bob.status == .ok)
            #expect(try Self.object(bob)["id"] as? String == d.bob.id)
            #expect(try await Self.get(graph, "/v1.0/users/bob%2540contoso.com", token: d.token).status == .notFound)   // decoded once only
            #expect(try await Self.get(graph, "/v1.0/users/carol%40fabrikam.com/memberOf", token: d.token).status == .ok)
            #expect(try await Self.get(graph, "/v1.0/directoryRoles/Global%20Administrator", token: d.token).status == .ok)
            // Routing stays on the raw path: an encoded slash is part of the id, never a new segment.
            let slash = try await Self.get(graph, "/v1.0/groups/\(d.pilot)%2Fmembers", token: d.token)
            #expect(slash.status == .notFound && slash.graphError?.message.contains("\(d.pilot)/members") == true)
            let patch = try await graph.call(.patch, "/v1.0/users/dave%40contoso.com", token: d.token, body: #"{"displayName": "David"}"#)
            #expect(patch.status == .noContent)
            #expect(try await store.user(principalName: "dave@contoso.com")?.displayName == "David")
        }, mode: .live)
    }

    @Test("memberOf, authentication/methods and /me answer within the role boundaries")
    func newRoutes() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let d = try await Self.directory(graph)
            let memberOf = try Self.object(try await Self.get(graph, "/v1.0/users/\(d.carol.id)/memberOf", token: d.token))
            #expect((memberOf["value"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [d.ring])
            let methods = try Self.object(try await Self.get(graph, "/v1.0/users/bob@contoso.com/authentication/methods", token: d.token))
            let types = try #require(methods["value"] as? [[String: Any]]).compactMap { $0["@odata.type"] as? String }
            #expect(types == ["#microsoft.graph.passwordAuthenticationMethod"])
            #expect(!String(buffer: try await Self.get(graph, "/v1.0/users/bob@contoso.com/authentication/methods", token: d.token).body).contains("$2"))
            let none = try Self.object(try await Self.get(graph, "/v1.0/users/\(d.carol.id)/authentication/methods", token: d.token))
            #expect((none["value"] as? [Any])?.isEmpty == true)   // no password, nothing registered
            let me = try Self.object(try await Self.get(graph, "/v1.0/me?$select=userPrincipalName", token: d.token))
            #expect(me["userPrincipalName"] as? String == "admin@contoso.com")
            // bob (Authentication Administrator) sees himself at /me, not the token's issuer or anyone else.
            let bobToken = try await graph.token(for: "bob@contoso.com", role: nil)
            #expect(try Self.object(try await Self.get(graph, "/v1.0/me", token: bobToken))["id"] as? String == d.bob.id)
            // A user without a role, and no token at all.
            let plain = try await graph.token(for: "alice@contoso.com", role: nil)
            for uri in ["/v1.0/me", "/v1.0/users/\(d.bob.id)/memberOf", "/v1.0/users/\(d.bob.id)/authentication/methods", "/v1.0/users?$filter=id%20eq%20'x'"] {
                let refused = try await Self.get(graph, uri, token: plain)
                #expect(refused.status == .forbidden && refused.graphError?.code == "Authorization_RequestDenied", "\(uri)")
                #expect(try await Self.get(graph, uri, token: nil).status == .unauthorized, "\(uri)")
            }
            #expect(try await Self.get(graph, "/v1.0/users/nobody@contoso.com/memberOf", token: d.token).status == .notFound)
        }, mode: .live)
    }

    @Test("authentication/methods lists every kind with its @odata.type and never a secret")
    func everyMethodKind() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let d = try await Self.directory(graph)
            let key = Base64URL.encode(Array(repeating: UInt8(4), count: 65))
            let device = Device(id: UUID().uuidString, userID: d.bob.id, name: "Bob's phone", appVersion: "1.2", deviceKey: key, approvalKey: key,
                                state: .active, createdAt: Date())
            try await store.insertDevice(device)
            try await store.setTOTPSecret(deviceID: device.id, secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
            #expect(try await store.insertPasskey(Passkey(
                id: UUID().uuidString, userID: d.bob.id, credentialID: Base64URL.encode(Array(UUID().uuidString.utf8)), publicKey: "pQECAyYgASFYIA",
                algorithm: -7, signCount: 0, aaguid: "00000000-0000-0000-0000-000000000000", backupEligible: false, backedUp: false,
                attestationFormat: "none", transports: ["internal"], name: "Laptop", createdAt: Date())))
            let (_, code) = try await TemporaryAccessPassService(env: graph.env).create(for: d.bob, .init(), by: nil)
            let response = try await Self.get(graph, "/v1.0/users/bob%40contoso.com/authentication/methods", token: d.token)
            let text = String(buffer: response.body)
            let types = try #require(try Self.object(response)["value"] as? [[String: Any]]).compactMap { $0["@odata.type"] as? String }
            #expect(types == ["#microsoft.graph.passwordAuthenticationMethod", "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod",
                              "#microsoft.graph.softwareOathAuthenticationMethod", "#microsoft.graph.fido2AuthenticationMethod",
                              "#microsoft.graph.temporaryAccessPassAuthenticationMethod"])
            #expect(!text.contains(code) && !text.contains("JBSWY3DP") && !text.contains("$2"))
        }, mode: .live)
    }

    @Test("Sign-in and audit logs filter with the shared parser (or, startsWith, in, dates)")
    func logs() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            for (i, (upn, code)) in [("alice@contoso.com", 0), ("bob@contoso.com", 50126), ("carol@contoso.com", 0)].enumerated() {
                try await store.insertSignIn(SignInRecord(id: "s\(i)", createdAt: base.addingTimeInterval(Double(i)), updatedAt: base,
                                                          userID: nil, userPrincipalName: upn, appDisplayName: i == 2 ? "Payroll" : "Tandem",
                                                          ipAddress: "192.0.2.\(i)", location: "", clientApp: "Browser", errorCode: code,
                                                          failureReason: nil, additionalDetails: nil, policyReason: nil, steps: []))
            }
            func ids(_ filter: String) async throws -> [String] {
                let encoded = filter.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
                let response = try await Self.get(graph, "/v1.0/auditLogs/signIns?$filter=\(encoded)", token: token)
                return try #require(try Self.object(response)["value"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            }
            #expect(try await ids("status/errorCode ne 0 or appDisplayName eq 'Payroll'") == ["s2", "s1"])
            #expect(try await ids("startsWith(userPrincipalName,'a') or userPrincipalName in ('carol@contoso.com')") == ["s2", "s0"])
            #expect(try await ids("createdDateTime gt 2026-09-21T14:13:20Z and not(ipAddress eq '192.0.2.2')") == ["s1"])
            let audits = try Self.object(try await Self.get(graph, "/v1.0/auditLogs/directoryAudits?$filter=category%20eq%20'UserManagement'", token: token))
            let entries = try #require(audits["value"] as? [[String: Any]])
            #expect(!entries.isEmpty && entries.allSatisfy { $0["category"] as? String == "UserManagement" })
        }, mode: .live)
    }

    @Test("An application's own token (client credentials) has no /me: Graph's 400")
    func appOnlyMe() async throws {
        try await OIDCHarness.run(live: true) { h in
            let (app, secret) = try await h.register(OIDCClientDraft(displayName: "Automation", roles: ["Global Administrator"]))
            let token = try #require(try OIDCHarness.json(try await h.post("/oauth2/token", ["grant_type": "client_credentials", "scope": "tandem-admin"],
                                                                           basic: (app.clientID, secret ?? "")))["access_token"] as? String)
            let me = try await OIDCAdminAPITests.call(h, .get, "/v1.0/me", token: token)
            #expect(me.status == .badRequest && me.graphError?.code == "BadRequest", "\(me.text)")
            #expect(try await OIDCAdminAPITests.call(h, .get, "/v1.0/users?$filter=userPrincipalName%20eq%20'alice@contoso.com'", token: token).status == .ok)
        }
    }
}
