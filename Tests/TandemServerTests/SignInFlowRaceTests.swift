import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// A flow completes once (issue 11): parallel requests on one flow, from the attacker's side,
/// over real HTTP on loopback.
@Suite("Sign-in flow races")
struct SignInFlowRaceTests {
    /// Completes the flow of `browser`'s cookies from `count` requests at once; returns the session cookies handed out.
    static func completeInParallel(_ browser: Browser, count: Int) async throws -> [String] {
        let cookieHeader = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
        let client = browser.client
        return try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<count {
                group.addTask {
                    let response = try await client.execute(uri: "/login/complete", method: .get, headers: [.cookie: cookieHeader], body: nil)
                    return response.headers[values: .setCookie].first { $0.hasPrefix("tandem_session=") && !$0.hasPrefix("tandem_session=;") }
                }
            }
            return try await group.reduce(into: []) { if let cookie = $1 { $0.append(cookie) } }
        }
    }

    @Test("Eight parallel completions after a password give one session")
    func passwordCompletesOnce() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            try await TestServer.allowPasswordOnly(store, ["alice@contoso.com"])
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            #expect(try await browser.request("/login/password", method: .post, form: ["password": "correct horse"]).headers[.location] == "/login/complete")
            let sessions = try await Self.completeInParallel(browser, count: 8)
            #expect(sessions.count == 1, "\(sessions.count) sessions from one flow")
        }
    }

    @Test("Eight parallel completions after an approved push give one session")
    func pushCompletesOnce() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let (_, phone, _) = try await SignInPagesTests.setUp(store, client)
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await browser.request("/login/password", method: .post, form: ["password": "correct horse"])
            try await SignInStatementCountTests.approve(browser, phone, client, counter: nil)
            let sessions = try await Self.completeInParallel(browser, count: 8)
            #expect(sessions.count == 1, "\(sessions.count) sessions from one flow")
        }
    }
}
