import Foundation
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import Testing

/// Decision 0032: every date the portal and security info show is a `<time datetime="…Z">… UTC</time>`
/// that /static/local-time.js rewrites in the viewer's zone — also the user page's methods, risky
/// users' "updated" and "blocked until", application secrets' expiry and security info's dates.
@Suite("Portal dates as <time>")
struct AdminPortalLocalTimeTests {
    static var time: Regex<(Substring, Substring, Substring)> { /<time datetime="(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)">(\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC)<\/time>/ }

    /// The `<time>` elements of a page as (datetime, text); each text is its datetime in UTC, and no
    /// UTC text is left outside them.
    static func dates(_ html: String, _ page: String) throws -> [(iso: String, text: String)] {
        let found = html.matches(of: time).map { (iso: String($0.1), text: String($0.2)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM yyyy, HH:mm 'UTC'"
        for date in found {
            let instant = try #require(ISO8601DateFormatter().date(from: date.iso))
            #expect(formatter.string(from: instant) == date.text, "\(page): \(date.iso) reads \(date.text)")
        }
        let rest = html.replacing(time, with: "")
        var outside: String? = nil
        if let range = rest.firstRange(of: "UTC") {
            let start = rest.index(range.lowerBound, offsetBy: -60, limitedBy: rest.startIndex) ?? rest.startIndex
            outside = String(rest[start..<range.upperBound])
        }
        #expect(outside == nil, "\(page) has a date outside <time>: \(outside ?? "")")
        #expect(html.contains(#"<script type="module" src="/static/local-time.js"></script>"#), "\(page) loads local-time.js")
        return found
    }

    static func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }

    @Test("The user page's methods, risky users, application secrets and security info write each date as <time datetime> and load local-time.js")
    func datesAreTimes() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let alice = Browser(client)
            _ = try await alice.registerAndSignIn()
            let user = try #require(try await store.user(principalName: "alice@contoso.com"))
            let device = try #require(try await store.devices(userID: user.id).first)
            let used = try #require(device.lastUsedAt, "the push sign-in used the phone")

            // Security info: the phone's "Added" and "Last used".
            let info = try await alice.request("/mysecurityinfo")
            #expect(info.text.contains("id=\"device-1\""))
            let infoDates = try Self.dates(info.text, "/mysecurityinfo").map(\.iso)
            #expect(infoDates.contains(Self.iso(device.createdAt)) && infoDates.contains(Self.iso(used)))

            try await store.blockPush(userID: user.id, until: Date().addingTimeInterval(3600), riskLevel: "high",
                                      riskDetail: "userReportedSuspiciousActivity", at: Date())
            let security = try await store.security(userID: user.id)
            let (payroll, _) = try await OIDCClientRegistry(env: graph.env).register(
                OIDCClientDraft(displayName: "Payroll", redirectURIs: ["https://payroll.example.com/callback"]), by: nil)
            let secret = try #require(try await store.oidcClient(clientID: payroll.clientID)?.secrets.first)
            let admin = try await AdminPortalTests.admin(graph, client, "global@contoso.com", .globalAdministrator)

            let userPage = try await admin.request("/admin/users/\(user.id)")
            #expect(userPage.text.contains("id=\"methods\""))
            let userDates = try Self.dates(userPage.text, "/admin/users/{id}").map(\.iso)
            #expect(userDates.contains(Self.iso(user.createdAt)), "Created")
            #expect(userDates.contains(Self.iso(device.createdAt)), "the method's Registered")
            let lastUsed = try #require(try await store.device(id: device.id)?.lastUsedAt)
            #expect(userDates.contains(Self.iso(lastUsed)), "the method's Last used")

            let risky = try await admin.request("/admin/risky-users")
            #expect(risky.text.contains("Blocked until <time"))
            let riskyDates = try Self.dates(risky.text, "/admin/risky-users").map(\.iso)
            let blockedUntil = try #require(security.pushBlockedUntil), updated = try #require(security.riskUpdatedAt)
            #expect(riskyDates.contains(Self.iso(blockedUntil)), "blocked until")
            #expect(riskyDates.contains(Self.iso(updated)), "updated")

            let apps = try await admin.request("/admin/applications")
            #expect(apps.text.contains("Payroll"))
            let appDates = try Self.dates(apps.text, "/admin/applications").map(\.iso)
            #expect(appDates.contains(Self.iso(secret.expiresAt)), "the secret's expiry")
        }, mode: .live)
    }
}
