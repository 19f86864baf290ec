import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
@testable import TandemServer
import TandemServices
import Testing

/// The Applications page's registration, secrets and deletion over real HTTP on 127.0.0.1:
/// a Global Administrator only, the session's CSRF token, the registry's own validation, a
/// secret shown once, and the change visible through `GET /v1.0/applications`.
@Suite("Admin portal applications")
struct AdminPortalApplicationsTests {
    static func apps(_ graph: GraphClient, _ token: String) async throws -> [[String: Any]] {
        try await graph.json(.get, "/v1.0/applications", token: token)["value"] as? [[String: Any]] ?? []
    }

    @Test("A Global Administrator registers an application, sees its secret once, adds and removes a secret and deletes it; others are refused")
    func lifecycle() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let global = try await AdminPortalTests.admin(graph, client, "global@contoso.com", .globalAdministrator)
            let helpdesk = try await AdminPortalTests.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            try await TestServer.allowPasswordOnly(store, ["alice@contoso.com"])
            let alice = try await AdminPageTests.signIn(client, "alice@contoso.com", "correct horse")
            let token = try await graph.token(for: "api@contoso.com", role: .globalAdministrator)

            let page = try await global.request("/admin/applications")
            #expect(page.status == .ok && page.text.contains(#"id="register-application""#))
            let csrf = try AdminPortalTests.csrf(page)
            let form = ["csrf": csrf, "displayName": "Payroll", "redirectUris": "https://payroll.example/cb\r\nhttp://127.0.0.1:8080/cb\r\n",
                        "clientType": "confidential"]

            // Readers see the list without the forms; an Authentication Administrator and a user without a role are refused.
            let limited = try await helpdesk.request("/admin/applications")
            #expect(limited.status == .ok && !limited.text.contains("register-application"))
            #expect(try await helpdesk.request("/admin/applications", method: .post, form: form).status == .forbidden)
            #expect(try await alice.request("/admin/applications", method: .post, form: form).status == .forbidden)
            // Without the session's token nothing happens.
            var forged = form; forged["csrf"] = "forged"
            let noToken = try await global.request("/admin/applications", method: .post, form: forged)
            #expect(noToken.status == .forbidden && noToken.text.contains("did not come from this site"))
            #expect(try await Self.apps(graph, token).isEmpty)

            // Bad input gets the page's error, from the registry's validation.
            var bad = form; bad["redirectUris"] = "https://payroll.example/cb#fragment"
            let refused = try await global.request("/admin/applications", method: .post, form: bad)
            #expect(refused.status == .badRequest && refused.text.contains(#"id="error""#) && refused.text.contains("is not acceptable"))
            var unnamed = form; unnamed["displayName"] = ""
            let noName = try await global.request("/admin/applications", method: .post, form: unnamed)
            #expect(noName.status == .badRequest && noName.text.contains(#"id="error""#))
            #expect(try await Self.apps(graph, token).isEmpty)

            // Registered: the secret once, on the response to the POST.
            let created = try await global.request("/admin/applications", method: .post, form: form)
            #expect(created.status == .ok && created.headers[.cacheControl] == "no-store")
            let secret = try #require(created.text.firstMatch(of: /id="client-secret">([^<]+)</)?.1).description
            #expect(secret.count >= 32)
            let listed = try await Self.apps(graph, token)
            #expect(listed.count == 1)
            let app = try #require(listed.first)
            let id = try #require(app["id"] as? String)
            #expect(app["displayName"] as? String == "Payroll" && app["isFallbackPublicClient"] as? Bool == false)
            #expect((app["web"] as? [String: Any])?["redirectUris"] as? [String] == ["https://payroll.example/cb", "http://127.0.0.1:8080/cb"])
            let firstKey = try #require(((app["passwordCredentials"] as? [[String: Any]])?.first)?["keyId"] as? String)
            let again = try await global.request("/admin/applications")
            #expect(again.text.contains("Payroll") && !again.text.contains(secret))
            let graphText = try await graph.call(.get, "/v1.0/applications", token: token).text
            #expect(!graphText.contains(secret))

            // A public client gets no secret and no "Add secret" button.
            let publicForm = ["csrf": csrf, "displayName": "Phone app", "redirectUris": "com.example.app:/cb", "clientType": "public"]
            let publicMade = try await global.request("/admin/applications", method: .post, form: publicForm)
            #expect(publicMade.status == .seeOther && publicMade.headers[.location] == "/admin/applications?saved=registered")
            let phone = try #require(try await Self.apps(graph, token).first { $0["displayName"] as? String == "Phone app" })
            #expect(phone["isFallbackPublicClient"] as? Bool == true)

            // Add a secret: shown once; the helpdesk may not.
            #expect(try await helpdesk.request("/admin/applications/\(id)/secrets", method: .post, form: ["csrf": csrf]).status == .forbidden)
            let added = try await global.request("/admin/applications/\(id)/secrets", method: .post, form: ["csrf": csrf])
            let second = try #require(added.text.firstMatch(of: /id="client-secret">([^<]+)</)?.1).description
            let afterAdd = try await global.request("/admin/applications")
            #expect(second != secret && !afterAdd.text.contains(second))
            let afterAddApps = try await Self.apps(graph, token)
            #expect((afterAddApps.first { $0["id"] as? String == id }?["passwordCredentials"] as? [[String: Any]])?.count == 2)

            // Remove a secret: a confirmation first, then it goes.
            let ask = try await global.request("/admin/applications/\(id)/secrets/\(firstKey)/remove", method: .post, form: ["csrf": csrf])
            #expect(ask.status == .ok && ask.text.contains(#"name="confirm" value="yes""#))
            let afterAsk = try await Self.apps(graph, token)
            #expect((afterAsk.first { $0["id"] as? String == id }?["passwordCredentials"] as? [[String: Any]])?.count == 2)
            let removed = try await global.request("/admin/applications/\(id)/secrets/\(firstKey)/remove", method: .post,
                                                   form: ["csrf": csrf, "confirm": "yes"])
            #expect(removed.headers[.location] == "/admin/applications?saved=removed")
            let afterRemove = try await Self.apps(graph, token)
            let keys = (afterRemove.first { $0["id"] as? String == id }?["passwordCredentials"] as? [[String: Any]])?
                .compactMap { $0["keyId"] as? String }
            #expect(keys?.count == 1 && keys?.contains(firstKey) == false)

            // Delete: refused to others, a confirmation first, then it goes.
            #expect(try await helpdesk.request("/admin/applications/\(id)/delete", method: .post,
                                               form: ["csrf": csrf, "confirm": "yes"]).status == .forbidden)
            let confirm = try await global.request("/admin/applications/\(id)/delete", method: .post, form: ["csrf": csrf])
            #expect(confirm.status == .ok && confirm.text.contains("Delete Payroll?"))
            #expect(try await Self.apps(graph, token).count == 2)
            let deleted = try await global.request("/admin/applications/\(id)/delete", method: .post, form: ["csrf": csrf, "confirm": "yes"])
            #expect(deleted.headers[.location] == "/admin/applications?saved=deleted")
            let remaining = try await Self.apps(graph, token).map { $0["displayName"] as? String }
            #expect(remaining == ["Phone app"])

            // Every change is in the audit log.
            let audits = try await graph.json(.get, "/v1.0/auditLogs/directoryAudits", token: token)["value"] as? [[String: Any]] ?? []
            let activities = audits.compactMap { $0["activityDisplayName"] as? String }
            #expect(activities.filter { $0 == "Add application" }.count == 2)
            #expect(activities.filter { $0 == "Update application – Certificates and secrets management" }.count == 2)
            #expect(activities.contains("Delete application"))
        }, mode: .live)
    }
}
