import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import Testing

@Suite("Graph temporaryAccessPassMethods")
struct GraphTemporaryAccessPassTests {
    static func path(_ user: String) -> String { "/v1.0/users/\(user)/authentication/temporaryAccessPassMethods" }

    @Test("Create returns the pass once in Graph's shape; list and get never show it; delete removes it")
    func lifecycle() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .authenticationAdministrator)
            let created = try await graph.call(.post, Self.path("alice@contoso.com"), token: token,
                                               body: #"{"lifetimeInMinutes": 60, "isUsableOnce": true, "tandemLength": 12}"#)
            #expect(created.status == .created, "\(created.text)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])
            #expect(object["@odata.type"] as? String == "#microsoft.graph.temporaryAccessPassAuthenticationMethod")
            let pass = try #require(object["temporaryAccessPass"] as? String)
            #expect(pass.count == 12)
            #expect(object["lifetimeInMinutes"] as? Int == 60 && object["isUsableOnce"] as? Bool == true)
            #expect(object["isUsable"] as? Bool == true && object["methodUsabilityReason"] as? String == "EnabledByPolicy")
            #expect(object["startDateTime"] is String && object["createdDateTime"] is String)
            let id = try #require(object["id"] as? String)
            let list = try await graph.json(.get, Self.path("alice@contoso.com"), token: token)
            let listed = try #require((list["value"] as? [[String: Any]])?.first)
            #expect(listed["id"] as? String == id && listed["temporaryAccessPass"] is NSNull)
            #expect(!String(buffer: try await graph.call(.get, Self.path("alice@contoso.com"), token: token).body).contains(pass))
            #expect(try await graph.json(.get, Self.path("alice@contoso.com") + "/\(id)", token: token)["id"] as? String == id)
            let second = try await graph.call(.post, Self.path("alice@contoso.com"), token: token, body: "{}")
            #expect(second.status == .badRequest && second.graphError?.code == "Request_BadRequest")
            #expect(try await graph.call(.delete, Self.path("alice@contoso.com") + "/\(id)", token: token).status == .noContent)
            #expect(try await graph.call(.get, Self.path("alice@contoso.com") + "/\(id)", token: token).status == .notFound)
            let audits = try await store.audits(limit: 10, before: nil).map(\.activity)
            #expect(audits.contains("Admin registered temporary access pass method for user") && audits.contains("Admin deleted temporary access pass method for user"))
        }
    }

    @Test("Bad bodies get 400 naming the field; other roles 403; no token 401",
          arguments: [(#"{"lifetimeInMinutes": 5}"#, "lifetimeInMinutes"), (#"{"lifetimeInMinutes": 43201}"#, "lifetimeInMinutes"),
                      (#"{"isUsableOnce": "yes"}"#, "isUsableOnce"), (#"{"startDateTime": "tomorrow"}"#, "startDateTime"),
                      (#"{"temporaryAccessPass": "mine"}"#, "temporaryAccessPass"), (#"{"tandemLength": 4}"#, "8 to 48")])
    func badInput(body: String, field: String) async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            let response = try await graph.call(.post, Self.path("alice@contoso.com"), token: token, body: body)
            #expect(response.status == .badRequest)
            #expect(response.graphError?.message.contains(field) == true, "\(response.text)")
            let nobody = try await graph.token(for: "bob@contoso.com", role: nil)
            #expect(try await graph.call(.post, Self.path("alice@contoso.com"), token: nobody, body: "{}").status == .forbidden)
            #expect(try await graph.call(.post, Self.path("alice@contoso.com"), token: nil, body: "{}").status == .unauthorized)
        }
    }

    @Test("A user without a password signs in with the pass and lands on security info to register")
    func signIn() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            _ = try await DirectoryService(env: graph.env).addUser(userPrincipalName: "carol@contoso.com", displayName: "Carol", password: nil)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            let created = try await graph.call(.post, Self.path("carol@contoso.com"), token: token, body: #"{"isUsableOnce": true}"#)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])
            let pass = try #require(object["temporaryAccessPass"] as? String)
            let browser = Browser(client)
            #expect(try await browser.request("/login", method: .post, form: ["username": "carol@contoso.com"]).headers[.location] == "/login/password")
            let page = try await browser.request("/login/password").text
            // The same page as for everyone (decision 0013: it doesn't tell who has a pass); the field takes the pass.
            #expect(page.contains("Enter password") && page.contains("Have a Temporary Access Pass"))
            #expect(try await browser.request("/login/password", method: .post, form: ["password": pass]).headers[.location] == "/login/complete")
            #expect(try await browser.request("/login/complete").headers[.location] == "/mysecurityinfo")
            #expect(try await browser.request("/").text.contains("mfa, tap"))
            let used = try await graph.json(.get, Self.path("carol@contoso.com"), token: token)
            #expect((used["value"] as? [[String: Any]])?.first?["methodUsabilityReason"] as? String == "OneTimeUsed")
        }
    }
}
