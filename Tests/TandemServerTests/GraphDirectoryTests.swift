import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import Testing

@Suite("Graph admin API: users, groups, roles, methods")
struct GraphDirectoryTests {
    @Test("Users page with $top and @odata.nextLink, and $select keeps only the chosen properties")
    func usersPaging() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            for i in 0..<5 {
                let created = try await graph.call(.post, "/v1.0/users", token: token, body: """
                    {"accountEnabled": true, "displayName": "User \(i)", "mailNickname": "user\(i)", "userPrincipalName": "user\(i)@contoso.com",
                     "passwordProfile": {"forceChangePasswordNextSignIn": false, "password": "xWwvJ]6NMw+bWH-d\(i)"}}
                    """)
                #expect(created.status == .created, "\(String(buffer: created.body))")
            }
            var seen: [String] = []
            var next: String? = "/v1.0/users?$top=3&$select=displayName,userPrincipalName"
            while let uri = next {
                let page = try await graph.json(.get, uri, token: token)
                let values = try #require(page["value"] as? [[String: Any]])
                #expect(values.count <= 3)
                for value in values {
                    #expect(Set(value.keys).isSubset(of: ["id", "@odata.type", "displayName", "userPrincipalName"]))
                    seen.append(try #require(value["userPrincipalName"] as? String))
                }
                next = (page["@odata.nextLink"] as? String).map { $0.replacingOccurrences(of: "http://127.0.0.1:0", with: "").replacingOccurrences(of: "http://127.0.0.1", with: "") }
            }
            #expect(Set(seen).count == seen.count)
            #expect(Set(seen).isSuperset(of: (0..<5).map { "user\($0)@contoso.com" } + ["alice@contoso.com", "admin@contoso.com"]))
            let bad = try await graph.call(.get, "/v1.0/users?$select=shoeSize", token: token)
            #expect(bad.status == .badRequest && bad.graphError?.message.contains("shoeSize") == true)
            #expect(try await graph.call(.get, "/v1.0/users?$top=0", token: token).status == .badRequest)
            let one = try await graph.json(.get, "/v1.0/users/user3@contoso.com", token: token)
            #expect(one["displayName"] as? String == "User 3")
            #expect(try await graph.call(.get, "/v1.0/users/nobody@contoso.com", token: token).graphError?.code == "Request_ResourceNotFound")
            let duplicate = try await graph.call(.post, "/v1.0/users", token: token, body: #"{"userPrincipalName": "user1@contoso.com", "displayName": "Again"}"#)
            #expect(duplicate.status == .conflict || duplicate.status == .badRequest)
        }
    }

    @Test("Groups take users and nested groups through $ref, refuse cycles, and list members")
    func groups() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            func create(_ name: String) async throws -> String {
                let response = try await graph.call(.post, "/v1.0/groups", token: token, body: """
                    {"description": "\(name)", "displayName": "\(name)", "groupTypes": [], "mailEnabled": false, "mailNickname": "\(name)", "securityEnabled": true}
                    """)
                #expect(response.status == .created)
                return try #require((try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])?["id"] as? String)
            }
            let outer = try await create("Pilot")
            let inner = try await create("PilotRing1")
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            func ref(_ id: String) -> String { #"{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/\#(id)"}"# }
            #expect(try await graph.call(.post, "/v1.0/groups/\(inner)/members/$ref", token: token, body: ref(alice.id)).status == .noContent)
            #expect(try await graph.call(.post, "/v1.0/groups/\(outer)/members/$ref", token: token, body: ref(inner)).status == .noContent)
            #expect(try await graph.call(.post, "/v1.0/groups/\(outer)/members/$ref", token: token, body: ref(inner)).status == .badRequest)
            let cycle = try await graph.call(.post, "/v1.0/groups/\(inner)/members/$ref", token: token, body: ref(outer))
            #expect(cycle.status == .badRequest && cycle.graphError?.message.contains("cycle") == true)
            #expect(try await graph.call(.post, "/v1.0/groups/\(inner)/members/$ref", token: token, body: #"{"@odata.id": 5}"#).status == .badRequest)
            let members = try await graph.json(.get, "/v1.0/groups/\(outer)/members", token: token)
            #expect((members["value"] as? [[String: Any]])?.map { $0["@odata.type"] as? String } == ["#microsoft.graph.group"])
            // alice is in Pilot through PilotRing1.
            let subject = try await PolicyService(env: graph.env).subject(for: alice)
            #expect(subject.groupIDs == [outer, inner])
            #expect(try await graph.call(.delete, "/v1.0/groups/\(inner)/members/\(alice.id)/$ref", token: token).status == .noContent)
            #expect(try await PolicyService(env: graph.env).subject(for: alice).groupIDs.isEmpty)
        }
    }

    @Test("Roles are listed and assigned through directoryRoles, and a role grants the policy at once")
    func roles() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let admin = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            let roles = try await graph.json(.get, "/v1.0/directoryRoles", token: admin)
            #expect((roles["value"] as? [[String: Any]])?.compactMap { $0["displayName"] as? String }.contains("Authentication Policy Administrator") == true)
            let bob = try await graph.token(for: "bob@contoso.com", role: nil)
            let path = GraphPolicyTests.path
            #expect(try await graph.call(.get, path, token: bob).status == .forbidden)
            let bobUser = try #require(try await store.user(principalName: "bob@contoso.com"))
            let role = DirectoryRole.authenticationPolicyAdministrator.rawValue
            let assigned = try await graph.call(.post, "/v1.0/directoryRoles/roleTemplateId=\(role)/members/$ref", token: admin,
                                                body: #"{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/\#(bobUser.id)"}"#)
            #expect(assigned.status == .noContent)
            #expect(try await graph.call(.get, path, token: bob).status == .ok)
            #expect(try await graph.call(.delete, "/v1.0/directoryRoles/\(role)/members/\(bobUser.id)/$ref", token: admin).status == .noContent)
            #expect(try await graph.call(.get, path, token: bob).status == .forbidden)
            // Only a Global Administrator assigns roles.
            let policyAdmin = try await graph.token(for: "pa@contoso.com", role: .authenticationPolicyAdministrator)
            #expect(try await graph.call(.post, "/v1.0/directoryRoles/\(role)/members/$ref", token: policyAdmin,
                                         body: #"{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/\#(bobUser.id)"}"#).status == .forbidden)
            let audits = try await graph.json(.get, "/v1.0/auditLogs/directoryAudits?$top=50", token: admin)
            let activities = (audits["value"] as? [[String: Any]])?.compactMap { $0["activityDisplayName"] as? String } ?? []
            #expect(activities.contains("Add member to role") && activities.contains("Remove member from role"))
        }
    }

    @Test("An administrator lists and deletes a user's authenticator; the device stops at once")
    func methods() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "helpdesk@contoso.com", role: .authenticationAdministrator)
            let browser = Browser(client)
            try await browser.signInWithPassword()
            let phone = try await PushChannelTests.registerPhone(browser)
            let listed = try await graph.json(.get, "/v1.0/users/alice@contoso.com/authentication/microsoftAuthenticatorMethods", token: token)
            let method = try #require((listed["value"] as? [[String: Any]])?.first)
            #expect(method["id"] as? String == phone.deviceID)
            #expect(method["deviceTag"] as? String == "SoftwareTokenActivated")
            #expect(method["phoneAppVersion"] as? String == "test-1")
            #expect(method["createdDateTime"] is String)
            // A pending push for this device is withdrawn by the deletion.
            let signIn = Browser(client)
            try await signIn.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await signIn.request("/login/password", method: .post, form: ["password": "correct horse"])
            #expect(try await signIn.request("/login/status").json(PushChannelTests.StatusView.self).state == "pending")
            #expect(try await graph.call(.delete, "/v1.0/users/alice@contoso.com/authentication/microsoftAuthenticatorMethods/\(phone.deviceID)", token: token).status == .noContent)
            #expect(try await signIn.request("/login/status").json(PushChannelTests.StatusView.self).state == "withdrawn")
            var headers: HTTPFields = [:]
            for (name, value) in try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: Date()) { headers[HTTPField.Name(name)!] = value }
            #expect(try await client.execute(uri: "/device/v1/pending", method: .get, headers: headers, body: nil).status == .unauthorized)
            #expect(try await graph.call(.delete, "/v1.0/users/alice@contoso.com/authentication/microsoftAuthenticatorMethods/\(phone.deviceID)", token: token).status == .notFound)
        }, mode: .live)
    }
}
