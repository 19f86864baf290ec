import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
@testable import TandemServer
import TandemServices
import Testing

/// The admin portal over real HTTP on 127.0.0.1 (`.live`), from the attacker's side as well:
/// a user without a role, a role that may read but not change, a method administrator acting
/// on an administrator, a form without the session's token.
@Suite("Admin portal")
struct AdminPortalTests {
    /// An administrator (created with `role`) signed in with the password.
    static func admin(_ graph: GraphClient, _ client: any TestClientProtocol, _ upn: String, _ role: DirectoryRole?) async throws -> Browser {
        _ = try await graph.token(for: upn, role: role)
        try await TestServer.allowPasswordOnly(graph.store, [upn])
        return try await AdminPageTests.signIn(client, upn, "password-\(upn)")
    }

    static func csrf(_ response: TestResponse) throws -> String {
        try #require(response.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1).description
    }

    @Test("The navigation shows what each role may open; a user without a role and an anonymous caller are refused")
    func navigation() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let global = try await Self.admin(graph, client, "global@contoso.com", .globalAdministrator)
            let overview = try await global.request("/admin")
            #expect(overview.status == .ok)
            for label in ["Overview", "Users", "Groups", "Authentication methods", "Sign-in logs", "Audit logs", "Risky users",
                          "Applications", "Named locations", "Protection settings"] {
                #expect(overview.text.contains(">\(label)<"), "\(label) missing")
            }
            #expect(overview.text.contains(#"aria-current="page">Overview"#))
            let helpdesk = try await Self.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            let limited = try await helpdesk.request("/admin")
            #expect(limited.status == .ok)
            #expect(!limited.text.contains("Authentication methods") && !limited.text.contains("Protection settings"))
            #expect(limited.text.contains(#"Groups <span class="view-only">(view only)</span>"#))
            #expect(try await helpdesk.request("/admin/authenticator").status == .forbidden)
            try await TestServer.allowPasswordOnly(store, ["alice@contoso.com"])
            let alice = try await AdminPageTests.signIn(client, "alice@contoso.com", "correct horse")
            for path in ["/admin", "/admin/users", "/admin/groups", "/admin/sign-ins", "/admin/sign-ins.csv", "/admin/audit-logs",
                         "/admin/risky-users", "/admin/applications", "/admin/named-locations"] {
                #expect(try await alice.request(path).status == .forbidden, "\(path)")
                #expect(try await Browser(client).request(path).status == .unauthorized, "\(path)")
            }
        }, mode: .live)
    }

    @Test("The Overview draws its charts as SVG with the numbers beside them, counted from the sign-in log")
    func overview() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            try await TestServer.allowPasswordOnly(store, ["alice@contoso.com"])
            let wrong = Browser(client)
            try await wrong.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await wrong.request("/login/password", method: .post, form: ["password": "not it"])
            let admin = try await Self.admin(graph, client, "admin@contoso.com", .globalAdministrator)
            let page = try await admin.request("/admin")
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<svg xmlns="http://www.w3.org/2000/svg""#) && page.text.contains(#"id="chart-24h""#))
            // Readable without JavaScript: the one script only shows the dates in local time (decision 0032).
            #expect(page.text.matches(of: /<script[^>]*>/).map { String($0.0) } == [#"<script type="module" src="/static/local-time.js">"#])
            // One failure (alice's wrong password) and one success (the administrator) in the last 24 hours.
            let table = try #require(page.text.firstMatch(of: /id="chart-24h-numbers">(.*?)<\/table>/.dotMatchesNewlines())?.1).description
            #expect(table.contains("<td>Success</td><td>1</td><td>50%</td>"), "\(table)")
            #expect(table.contains("<td>Failure</td><td>1</td><td>50%</td>"), "\(table)")
            // Two users, neither has an authenticator.
            #expect(page.text.contains(#"<span class="value" id="tile-unregistered">2</span>"#))
        }, mode: .live)
    }

    @Test("The Overview's statistics classify results, methods and push outcomes, and ignore sign-ins older than 7 days")
    func statistics() {
        let now = Date(timeIntervalSince1970: 2_000_000_000)
        func record(_ age: TimeInterval, _ code: Int, _ steps: [SignInStep]) -> SignInRecord {
            SignInRecord(id: UUID().uuidString, createdAt: now - age, updatedAt: now - age, userID: "u", userPrincipalName: "u", appDisplayName: "Tandem",
                         ipAddress: "", location: "", clientApp: "Browser", errorCode: code, failureReason: nil, additionalDetails: nil,
                         policyReason: nil, steps: steps)
        }
        let push = "Mobile app notification"
        let stats = AdminOverviewStatistics.compute([
            record(60, 0, [.init(at: now, method: "Password", succeeded: true, detail: "Correct password"),
                           .init(at: now, method: push, succeeded: true, detail: "MFA successfully completed", requestID: "c1")]),
            record(2 * 86_400, 500121, [.init(at: now, method: push, succeeded: false, detail: "MFA denied; user declined the authentication", requestID: "c2")]),
            record(3 * 86_400, 53003, [.init(at: now, method: push, succeeded: false, detail: "MFA denied; user reported fraud", requestID: "c3")]),
            record(4 * 86_400, 50074, [.init(at: now, method: push, succeeded: false, detail: "MFA denied; user did not respond to mobile app notification", requestID: "c4")]),
            record(8 * 86_400, 0, [.init(at: now, method: push, succeeded: true, detail: "MFA successfully completed", requestID: "old")]),
        ], now: now)
        #expect(stats.last24Hours == .init(success: 1, failure: 0, interrupted: 0))
        #expect(stats.last7Days == .init(success: 1, failure: 2, interrupted: 1))
        #expect(stats.methods == ["Password": 1, push: 4])
        #expect(stats.push == ["approved": 1, "denied": 1, "reported": 1, "timedOut": 1])
        #expect(AdminOverviewStatistics.percent(1, of: 3) == "33%" && AdminOverviewStatistics.percent(0, of: 0) == "0%")
        #expect(AdminPagesController.csvField("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
        #expect(AdminPagesController.csvField("a,b") == "\"a,b\"" && AdminPagesController.csvField("plain") == "plain")
        #expect(AdminCharts.bars([.init(label: "<x>", value: 1, color: "#000")], id: "c", title: "t").contains("&lt;x&gt;"))
    }

    @Test("The sign-in log filters by user and status, shows the details of one sign-in and exports CSV")
    func signInLog() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            try await TestServer.allowPasswordOnly(store, ["alice@contoso.com"])
            let wrong = Browser(client)
            try await wrong.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await wrong.request("/login/password", method: .post, form: ["password": "not it"])
            let admin = try await Self.admin(graph, client, "admin@contoso.com", .globalAdministrator)
            let page = try await admin.request("/admin/sign-ins?user=alice&status=failure")
            #expect(page.status == .ok)
            #expect(page.text.contains("Failure (50126)") && page.text.contains("Password: Incorrect password"))
            #expect(!page.text.contains("<td>admin@contoso.com</td>"))
            #expect(try await admin.request("/admin/sign-ins?status=success").text.contains("<td>admin@contoso.com</td>"))
            let id = try #require(page.text.firstMatch(of: /&amp;id=([0-9A-Fa-f-]+)"/)?.1).description
            let detail = try await admin.request("/admin/sign-ins?id=\(id)")
            #expect(detail.text.contains("Activity details") && detail.text.contains(#"<dd id="detail-app">Tandem</dd>"#))
            let csv = try await admin.request("/admin/sign-ins.csv?user=alice")
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(csv.text.hasPrefix("createdDateTime,id,userPrincipalName") && csv.text.contains("alice@contoso.com"))
            #expect(!csv.text.contains("admin@contoso.com"))
            #expect(try await admin.request("/admin/sign-ins?before=nonsense").status == .badRequest)
        }, mode: .live)
    }

    @Test("Risky users: a method administrator dismisses a user's risk, but not an administrator's; a reader sees no button")
    func riskyUsers() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let helpdesk = try await Self.admin(graph, client, "helpdesk@contoso.com", .authenticationAdministrator)
            _ = try await graph.token(for: "global@contoso.com", role: .globalAdministrator)
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            let global = try #require(try await store.user(principalName: "global@contoso.com"))
            for user in [alice, global] {
                try await store.blockPush(userID: user.id, until: Date().addingTimeInterval(3600), riskLevel: "high",
                                          riskDetail: "userReportedSuspiciousActivity", at: Date())
            }
            let page = try await helpdesk.request("/admin/risky-users")
            #expect(page.text.contains(#"id="dismiss-\#(alice.id)""#))
            let csrf = try Self.csrf(page)
            let refused = try await helpdesk.request("/admin/risky-users/\(global.id)/dismiss", method: .post, form: ["csrf": csrf])
            #expect(refused.status == .forbidden && refused.text.contains("holds an admin role"))
            #expect(try await store.security(userID: global.id).riskState == "atRisk")
            let done = try await helpdesk.request("/admin/risky-users/\(alice.id)/dismiss", method: .post, form: ["csrf": csrf])
            #expect(done.headers[.location] == "/admin/risky-users?saved=1")
            #expect(try await store.security(userID: alice.id).riskState == "dismissed")
            let overview = try await helpdesk.request("/admin")
            #expect(overview.text.contains(#"<span class="value" id="tile-blocks">1</span>"#))
        }, mode: .live)
    }
}
