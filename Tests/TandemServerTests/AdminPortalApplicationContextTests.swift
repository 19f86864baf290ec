import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import Testing

/// Issue 16: during an OIDC sign-in for "Payroll" the phone showed "Application: Tandem" and the
/// log recorded `appDisplayName: Tandem`. Now the application comes from the authorization
/// request the sign-in returns to, for the username step and every later step.
@Suite("Admin portal: the application of an OIDC sign-in")
struct AdminPortalApplicationContextTests {
    @Test("An OIDC sign-in for Payroll names Payroll on the phone, in the sign-in log and on the portal's sign-in page")
    func payroll() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let setUp = Browser(client)
            let phone = try await setUp.registerAndSignIn()
            let (payroll, _) = try await OIDCClientRegistry(env: graph.env).register(
                OIDCClientDraft(displayName: "Payroll", redirectURIs: ["https://payroll.example.com/callback"]), by: nil)
            let browser = Browser(client)
            let query = ["client_id": payroll.clientID, "redirect_uri": "https://payroll.example.com/callback", "response_type": "code",
                         "scope": "openid", "state": "s", "nonce": "n", "code_challenge": SecretDigest.of("v".padding(toLength: 64, withPad: "v", startingAt: 0)),
                         "code_challenge_method": "S256"]
                .map { "\($0.key)=\(OIDCHarness.encode($0.value))" }.joined(separator: "&")
            let authorize = try await browser.request("/oauth2/authorize?" + query)
            let login = try #require(authorize.headers[.location])
            #expect(login.hasPrefix("/login?return_to="))
            let returnTo = try #require(OIDCHarness.queryItem("return_to", in: login))
            try await browser.request(login)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com", "return_to": returnTo])
            let typed = try await browser.request("/login/password", method: .post, form: ["password": "correct horse"])
            #expect(typed.headers[.location] == "/login/approve")
            let offer = try #require(try await PushChannelTests.pending(phone, client).first { $0.kind == .mfa })
            #expect(offer.context.application == "Payroll")
            let records = try await store.signIns(limit: 10, before: nil)
            #expect(records.first?.appDisplayName == "Payroll")
            // The log's earlier sign-in (Tandem's own page) still says Tandem.
            #expect(records.dropFirst().allSatisfy { $0.appDisplayName == "Tandem" })
            let admin = try await AdminPortalTests.admin(graph, client, "global@contoso.com", .globalAdministrator)
            #expect(try await admin.request("/admin/sign-ins?app=Payroll").text.contains("<td>Payroll</td>"))
        }, mode: .live)
    }
}
