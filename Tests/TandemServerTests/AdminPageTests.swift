import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import Testing

@Suite("Admin policy page")
struct AdminPageTests {
    static func signIn(_ client: any TestClientProtocol, _ upn: String, _ password: String) async throws -> Browser {
        let browser = Browser(client)
        try await browser.request("/login", method: .post, form: ["username": upn])
        let response = try await browser.request("/login/password", method: .post, form: ["password": password])
        #expect(response.headers[.location] == "/login/complete")
        try await browser.request("/login/complete")
        return browser
    }

    @Test("An administrator targets a group with a mode and saves; the policy changes; CSRF and roles are enforced")
    func savePolicy() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            _ = try await graph.token(for: "admin@contoso.com", role: .authenticationPolicyAdministrator)
            try await graph.group(id: "22222222-0000-0000-0000-000000000001", name: "Pilot")
            try await TestServer.allowPasswordOnly(store, ["admin@contoso.com", "alice@contoso.com"])
            let admin = try await Self.signIn(client, "admin@contoso.com", "password-admin@contoso.com")
            let page = try await admin.request("/admin/authenticator")
            #expect(page.status == .ok)
            #expect(page.text.contains("Microsoft Authenticator settings") && page.text.contains("Pilot"))
            let csrf = try #require(page.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1).description
            let form = ["enabled": "on", "target": "groups", "include-22222222-0000-0000-0000-000000000001": "on",
                        "mode-22222222-0000-0000-0000-000000000001": "deviceBasedPush"]
            let forged = try await admin.request("/admin/authenticator", method: .post, form: form)
            #expect(forged.status == .forbidden)
            var withToken = form
            withToken["csrf"] = csrf
            let saved = try await admin.request("/admin/authenticator", method: .post, form: withToken)
            #expect(saved.headers[.location] == "/admin/authenticator?saved=1")
            let policy = try await PolicyService(env: graph.env).authenticatorPolicy()
            #expect(policy.includeTargets == [.init(targetType: .group, id: "22222222-0000-0000-0000-000000000001", authenticationMode: .deviceBasedPush)])
            let again = try await admin.request("/admin/authenticator?saved=1")
            #expect(again.text.contains("Your changes were saved."))
            #expect(again.text.contains(#"<option value="deviceBasedPush" selected>"#))
            // Everyone else: refused.
            let alice = try await Self.signIn(client, "alice@contoso.com", "correct horse")
            #expect(try await alice.request("/admin/authenticator").status == .forbidden)
            #expect(try await Browser(client).request("/admin/authenticator").status == .unauthorized)
        }
    }
}

@Suite("Admin sign-in log page")
struct SignInLogPageTests {
    @Test("Administrators see each attempt with its status and steps; others are refused")
    func page() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            _ = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            try await TestServer.allowPasswordOnly(store, ["admin@contoso.com", "alice@contoso.com"])
            let wrong = Browser(client)
            try await wrong.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await wrong.request("/login/password", method: .post, form: ["password": "not it"])
            let admin = try await AdminPageTests.signIn(client, "admin@contoso.com", "password-admin@contoso.com")
            let page = try await admin.request("/admin/sign-ins?user=alice@contoso.com")
            #expect(page.status == .ok)
            #expect(page.text.contains("Failure (50126)") && page.text.contains("Password: Incorrect password"))
            #expect(!page.text.contains("admin@contoso.com</td>"))
            let alice = try await AdminPageTests.signIn(client, "alice@contoso.com", "correct horse")
            #expect(try await alice.request("/admin/sign-ins").status == .forbidden)
        }
    }
}
