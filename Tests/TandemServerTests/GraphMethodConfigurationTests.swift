import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import Testing

/// The TemporaryAccessPass and SoftwareOath method configurations over real HTTP (decision 0036):
/// Graph's bodies, the same validation as the service, and what they change — who may be given a
/// pass, its limits and defaults, whether codes are allowed.
@Suite("Graph TemporaryAccessPass and SoftwareOath configurations")
struct GraphMethodConfigurationTests {
    static let base = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/"
    static func passes(_ user: String) -> String { "/v1.0/users/\(user)/authentication/temporaryAccessPassMethods" }

    @Test("TemporaryAccessPass: read, bad bodies refused and nothing saved, then who gets a pass and with which limits")
    func temporaryAccessPass() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let graph = GraphClient(store, client)
            let policyAdmin = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let helpdesk = try await graph.token(for: "helpdesk@contoso.com", role: .authenticationAdministrator)
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            let read = try await graph.json(.get, Self.base + "TemporaryAccessPass", token: policyAdmin)
            #expect(read["@odata.type"] as? String == "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration")
            #expect(read["state"] as? String == "enabled" && read["defaultLifetimeInMinutes"] as? Int == 60 && read["maximumLifetimeInMinutes"] as? Int == 43_200)
            for bad in [#"{"minimumLifetimeInMinutes": 600, "maximumLifetimeInMinutes": 60}"#, #"{"defaultLength": 7}"#,
                        #"{"maximumLifetimeInMinutes": 43201}"#, #"{"state": "on"}"#, #"{"lifetime": 5}"#,
                        #"{"includeTargets": []}"#, #"{"excludeTargets": [{"targetType": "group", "id": "all_users"}]}"#] {
                let r = try await graph.call(.patch, Self.base + "TemporaryAccessPass", token: policyAdmin, body: bad)
                #expect(r.status == .badRequest && r.graphError != nil, "\(bad): \(r.text)")
            }
            #expect(try await graph.json(.get, Self.base + "TemporaryAccessPass", token: policyAdmin)["minimumLifetimeInMinutes"] as? Int == 10)
            // Only policy administrators change it.
            #expect(try await graph.call(.patch, Self.base + "TemporaryAccessPass", token: helpdesk, body: #"{"state": "disabled"}"#).status == .forbidden)

            // Off: no pass for anyone.
            #expect(try await graph.call(.patch, Self.base + "TemporaryAccessPass", token: policyAdmin, body: #"{"state": "disabled"}"#).status == .noContent)
            let refused = try await graph.call(.post, Self.passes(alice.id), token: helpdesk, body: "{}")
            #expect(refused.status == .forbidden && refused.text.contains("isn't enabled"), "\(refused.text)")
            // On for Alice only, 2 to 4 hours, 3 by default, 12 characters, one-time.
            let body = #"{"state": "enabled", "includeTargets": [{"targetType": "user", "id": "\#(alice.id)"}], "minimumLifetimeInMinutes": 120,"#
                + #" "maximumLifetimeInMinutes": 240, "defaultLifetimeInMinutes": 180, "defaultLength": 12, "isUsableOnce": true}"#
            #expect(try await graph.call(.patch, Self.base + "TemporaryAccessPass", token: policyAdmin, body: body).status == .noContent)
            #expect(try await graph.call(.post, Self.passes(alice.id), token: helpdesk, body: #"{"lifetimeInMinutes": 60}"#).status == .badRequest)
            let created = try await graph.call(.post, Self.passes(alice.id), token: helpdesk, body: #"{"isUsableOnce": false}"#)
            #expect(created.status == .created, "\(created.text)")
            let object = try #require(try JSONSerialization.jsonObject(with: Data(buffer: created.body)) as? [String: Any])
            #expect(object["lifetimeInMinutes"] as? Int == 180 && object["isUsableOnce"] as? Bool == true)
            #expect((object["temporaryAccessPass"] as? String)?.count == 12)
            let bob = try await DirectoryService(env: graph.env).addUser(userPrincipalName: "bob@contoso.com", displayName: "Bob", password: "password-8")
            #expect(try await graph.call(.post, Self.passes(bob.id), token: helpdesk, body: "{}").status == .forbidden, "not a target")
            let audits = try await store.audits(limit: 50, before: nil)
            #expect(audits.filter { $0.targetID == TemporaryAccessPassConfigurationService.documentID }.count == 2)
        }
    }

    @Test("A pass issued while on does not sign in once the configuration turns it off (fail closed)")
    func offStopsSignIn() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let graph = GraphClient(store, client)
            let policyAdmin = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            let (_, code) = try await TemporaryAccessPassService(env: graph.env).create(for: alice, .init(), by: nil)
            let passes = TemporaryAccessPassService(env: graph.env)
            #expect(try await graph.call(.patch, Self.base + "TemporaryAccessPass", token: policyAdmin, body: #"{"state": "disabled"}"#).status == .noContent)
            #expect(try await passes.redeem(code, for: alice) == false)
            #expect(try await graph.call(.patch, Self.base + "TemporaryAccessPass", token: policyAdmin, body: #"{"state": "enabled"}"#).status == .noContent)
            #expect(try await passes.redeem(code, for: alice))
        }
    }

    @Test("SoftwareOath: its state is the codes switch; targets other than everyone are refused")
    func softwareOath() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let graph = GraphClient(store, client)
            let policyAdmin = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let read = try await graph.json(.get, Self.base + "SoftwareOath", token: policyAdmin)
            #expect(read["@odata.type"] as? String == "#microsoft.graph.softwareOathAuthenticationMethodConfiguration" && read["state"] as? String == "disabled")
            #expect(try await graph.call(.patch, Self.base + "SoftwareOath", token: policyAdmin, body: #"{"state": "enabled"}"#).status == .noContent)
            #expect(try await PolicyService(env: graph.env).authenticatorPolicy().isSoftwareOathEnabled)
            #expect(try await graph.json(.get, Self.base + "SoftwareOath", token: policyAdmin)["state"] as? String == "enabled")
            let narrowed = try await graph.call(.patch, Self.base + "SoftwareOath", token: policyAdmin,
                                                body: #"{"state": "disabled", "includeTargets": [{"targetType": "group", "id": "g1"}]}"#)
            #expect(narrowed.status == .badRequest)
            #expect(try await PolicyService(env: graph.env).authenticatorPolicy().isSoftwareOathEnabled, "nothing saved")
            #expect(try await graph.call(.get, Self.base + "Sms", token: policyAdmin).status == .notFound)
            #expect(try await graph.call(.get, Self.base + "SoftwareOath", token: nil).status == .unauthorized)
        }
    }
}
