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
/// request the sign-in returns to, for the username step and every later step; the pages say
/// "to continue to Payroll" and Graph's log has the client's `appId` (decision 0032).
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

    /// Starts an OIDC authorization for `client` in `browser`; returns the sign-in page's `return_to`.
    static func authorize(_ browser: Browser, _ client: OIDCClient) async throws -> String {
        let query = ["client_id": client.clientID, "redirect_uri": "https://payroll.example.com/callback", "response_type": "code",
                     "scope": "openid", "state": "s", "nonce": "n", "code_challenge": SecretDigest.of("v".padding(toLength: 64, withPad: "v", startingAt: 0)),
                     "code_challenge_method": "S256"]
            .map { "\($0.key)=\(OIDCHarness.encode($0.value))" }.joined(separator: "&")
        let login = try #require(try await browser.request("/oauth2/authorize?" + query).headers[.location])
        #expect(login.hasPrefix("/login?return_to="))
        return try #require(OIDCHarness.queryItem("return_to", in: login))
    }

    /// The one `continue-to` line of a page, or nil.
    static func continueTo(_ response: TestResponse) -> String? {
        response.text.firstMatch(of: /<p class="continue-to" id="continue-to">([^<]*)<\/p>/).map { String($0.1) }
    }

    @Test("Decision 0032: every sign-in page of an OIDC sign-in says 'to continue to Payroll'; Graph's log has appId = the client id and appDisplayName Payroll, and $filter=appId finds it")
    func continueToPayroll() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let (_, phone, generator) = try await SignInPagesTests.setUp(store, client, codes: true)
            let totp = try #require(generator)
            let (payroll, _) = try await OIDCClientRegistry(env: graph.env).register(
                OIDCClientDraft(displayName: "Payroll", redirectURIs: ["https://payroll.example.com/callback"]), by: nil)
            let browser = Browser(client)
            let returnTo = try await Self.authorize(browser, payroll)
            let login = try await browser.request("/login?return_to=\(OIDCHarness.encode(returnTo))")
            #expect(Self.continueTo(login) == "to continue to Payroll")
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com", "return_to": returnTo])
            #expect(Self.continueTo(try await browser.request("/login/password")) == "to continue to Payroll")
            #expect(try await browser.request("/login/password", method: .post, form: ["password": "correct horse"]).headers[.location] == "/login/approve")
            let approve = try await browser.request("/login/approve")
            #expect(approve.text.contains("id=\"number\""))
            #expect(Self.continueTo(approve) == "to continue to Payroll")
            // The phone is told Payroll too; the client id stays on the server.
            let offer = try #require(try await PushChannelTests.pending(phone, client).first { $0.kind == .mfa })
            #expect(offer.context.application == "Payroll")
            #expect(offer.context.applicationID == nil)
            #expect(try await browser.request("/login/use-code", method: .post).headers[.location] == "/login/code")
            let code = try await browser.request("/login/code")
            #expect(code.text.contains("id=\"verify\""))
            #expect(Self.continueTo(code) == "to continue to Payroll")
            // A wrong code re-renders the page with its error, still for Payroll.
            let wrong = try await browser.request("/login/code", method: .post, form: ["code": "12345x"])
            #expect(wrong.status == .unauthorized)
            #expect(Self.continueTo(wrong) == "to continue to Payroll")
            #expect(try await browser.request("/login/code", method: .post, form: ["code": totp.code(at: Date())]).headers[.location] == "/login/complete")
            let done = try #require(try await browser.request("/login/complete").headers[.location])
            #expect(done.hasPrefix("/oauth2/authorize/continue?request="))

            let token = try await graph.token(for: "reader@contoso.com", role: .globalAdministrator)
            let all = try await graph.json(.get, "/v1.0/auditLogs/signIns", token: token)
            let rows = try #require(all["value"] as? [[String: Any]])
            let newest = try #require(rows.first)
            #expect(newest["appId"] as? String == payroll.clientID)
            #expect(newest["appDisplayName"] as? String == "Payroll")
            #expect((newest["status"] as? [String: Any])?["errorCode"] as? Int == 0)
            // The phone's registration sign-ins were on Tandem's own pages.
            #expect(rows.count >= 2)
            #expect(rows.dropFirst().allSatisfy { $0["appId"] as? String == SignInRecord.tandemAppID && $0["appDisplayName"] as? String == "Tandem" })
            let one = try await graph.json(.get, "/v1.0/auditLogs/signIns/\(try #require(newest["id"] as? String))", token: token)
            #expect(one["appId"] as? String == payroll.clientID)
            let filtered = try await graph.json(.get, "/v1.0/auditLogs/signIns?$filter=" + OIDCHarness.encode("appId eq '\(payroll.clientID)'"), token: token)
            #expect((filtered["value"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == [newest["id"] as? String].compactMap { $0 })
            let own = try await graph.json(.get, "/v1.0/auditLogs/signIns?$filter=" + OIDCHarness.encode("appId eq 'tandem'"), token: token)
            #expect((own["value"] as? [[String: Any]])?.count == rows.count - 1)
        }, mode: .live)
    }

    @Test("Decision 0032: a sign-in to Tandem itself says no 'to continue to' on any page")
    func plainSignIn() async throws {
        try await TestServer.run({ store, client in
            _ = try await SignInPagesTests.setUp(store, client, codes: true)
            let browser = Browser(client)
            let login = try await browser.request("/login")
            #expect(login.text.contains("id=\"username\""))
            #expect(!login.text.contains("to continue to"))
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            let password = try await browser.request("/login/password")
            #expect(password.text.contains("id=\"password\""))
            #expect(!password.text.contains("to continue to"))
            try await browser.request("/login/password", method: .post, form: ["password": "correct horse"])
            let approve = try await browser.request("/login/approve")
            #expect(approve.text.contains("id=\"number\""))
            #expect(!approve.text.contains("to continue to"))
            try await browser.request("/login/use-code", method: .post)
            let code = try await browser.request("/login/code")
            #expect(code.text.contains("id=\"verify\""))
            #expect(!code.text.contains("to continue to"))
            let record = try #require(try await store.signIns(limit: 1, before: nil).first)
            #expect(record.appID == nil)
            #expect(record.appDisplayName == "Tandem")
        }, mode: .live)
    }

    @Test("Decision 0032: the application's name is escaped on the page")
    func escaped() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let (app, _) = try await OIDCClientRegistry(env: graph.env).register(
                OIDCClientDraft(displayName: "Pay & <b>Roll</b>", redirectURIs: ["https://payroll.example.com/callback"]), by: nil)
            let browser = Browser(client)
            let returnTo = try await Self.authorize(browser, app)
            let login = try await browser.request("/login?return_to=\(OIDCHarness.encode(returnTo))")
            #expect(Self.continueTo(login) == "to continue to Pay &amp; &lt;b&gt;Roll&lt;/b&gt;")
            #expect(!login.text.contains("<b>Roll"))
            // A return path that is no authorization request names nothing.
            #expect(!(try await browser.request("/login?return_to=\(OIDCHarness.encode("/oauth2/authorize/continue?request=nope"))")).text.contains("to continue to"))
        }, mode: .live)
    }
}
