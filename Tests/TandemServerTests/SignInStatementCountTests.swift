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

/// Issue 11's deterministic guard: the SQL statements (and writes) one sign-in costs, counted
/// through the real SQLite store over real HTTP. Timings in CI are noise; counts are not.
///
/// The budgets live in `SignInBudget` below. When a change lowers a count, lower the budget in
/// the same commit; when a change must raise one, raise it on purpose and say why in the commit
/// message (and in docs/performance.md).
enum SignInBudget {
    /// `POST /login` (the browser remembers phone sign-in) → status → the phone's answer →
    /// `/login/complete` → `GET /`.
    /// Issue 11 measured 116 (21 writes) with an older trail; 64 (20) before the redesign here.
    /// Web Push (decision 0023) added one read per push: the target devices' subscriptions.
    /// Required authentication strengths (decision 0025) added one read at completion: the
    /// conditional-access policy document (memberships only when a policy is on).
    /// Strength-aware sign-in (decision 0027) added one read when the flow starts: the same
    /// document, so the flow knows the strength it must reach from the first page.
    /// Decision 0034 added one read at completion: the registration campaign's setting (the
    /// flow, devices and passkeys only when it is on).
    /// One read of all policy documents per request, the push protection state and pending
    /// requests carried from the step's snapshot into the push, the sign-in log amended in one
    /// `UPDATE … RETURNING` and the phone sign-in waits cleared in one conditional write took it
    /// from 54 to 45.
    static let passwordless = (statements: 45, writes: 18)
    /// `POST /login` → password → status → the phone's answer → complete → `GET /`.
    /// 79 (23) before the redesign.
    /// Decision 0025: one read at completion, as above; decision 0027: one when the flow starts.
    /// Decision 0033: one read after the password: the system-preferred MFA setting (the
    /// passkeys only when it applies). Decision 0034: one read at completion, as above.
    /// 74 → 61 with the changes above; one more write: the phone sign-in waits are now cleared by
    /// a conditional UPDATE (matching no row here) where a read looked first.
    /// 61 → 59: the address bucket's take and refund around the password check are one atomic
    /// UPDATE each (they were read, then compare-and-set).
    static let mfa = (statements: 59, writes: 22)
    /// `POST /login` → the phone denies → status shows it.
    /// 45 (11) before the redesign. Decision 0027: one read when the flow starts.
    /// 38 → 32 with the changes above.
    static let denial = (statements: 32, writes: 10)
}

@Suite("Statements per sign-in (issue 11)")
struct SignInStatementCountTests {
    /// A phone registered, phone sign-in on, one passwordless sign-in done so the browser remembers it.
    static func prepared(_ store: SQLStore, _ client: any TestClientProtocol) async throws -> (Browser, TestPhone) {
        let (_, phone, _) = try await SignInPagesTests.setUp(store, client)
        #expect(try await PushChannelTests.enablePhoneSignIn(phone, client) == .ok)
        let browser = Browser(client)
        try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
        try await browser.request("/login/passwordless", method: .post)
        try await approve(browser, phone, client, counter: nil)
        #expect(try await browser.request("/login/complete").headers[.location] == "/")
        return (browser, phone)
    }

    /// The phone approves the flow's request; the test's own fetch of the offer (a connected phone
    /// receives it over its WebSocket) is not counted.
    static func approve(_ browser: Browser, _ phone: TestPhone, _ client: any TestClientProtocol, counter: StatementCounter?,
                        decision: AnswerDecision = .approve) async throws {
        let number = try #require(try await browser.request("/login/status").json(PushChannelTests.StatusView.self).number)
        let mark = counter?.count ?? 0
        let offer = try #require(try await PushChannelTests.pending(phone, client).first)
        counter?.discard(since: mark)
        let answer = try await PushChannelTests.answer(phone, offer, decision, number: number, client)
        #expect(answer.state == (decision == .approve ? .approved : .denied))
    }

    static func report(_ name: String, _ counter: StatementCounter) {
        let tables = counter.byTable.sorted { $0.value > $1.value }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("[statements] \(name): \(counter.count) statements, \(counter.writes) writes — \(tables)")
        if ProcessInfo.processInfo.environment["TANDEM_PRINT_STATEMENTS"] != nil {
            for statement in counter.statements { print("  " + statement.replacingOccurrences(of: "\n", with: " ").prefix(160)) }
        }
    }

    @Test("A passwordless sign-in stays within its statement budget")
    func passwordless() async throws {
        let counter = StatementCounter()
        try await TestServer.run(configure: { _ in }, counter: counter) { store, client in
            let (browser, phone) = try await Self.prepared(store, client)
            counter.reset()
            #expect(try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"]).headers[.location] == "/login/approve")
            try await Self.approve(browser, phone, client, counter: counter)
            #expect(try await browser.request("/login/complete").headers[.location] == "/")
            #expect(try await browser.request("/").status == .ok)
            Self.report("passwordless", counter)
            #expect(counter.count <= SignInBudget.passwordless.statements)
            #expect(counter.writes <= SignInBudget.passwordless.writes)
        }
    }

    @Test("An MFA sign-in (password, then push) stays within its statement budget")
    func mfa() async throws {
        let counter = StatementCounter()
        try await TestServer.run(configure: { _ in }, counter: counter) { store, client in
            let (_, phone, _) = try await SignInPagesTests.setUp(store, client)
            let browser = Browser(client)
            try await browser.request("/login")
            counter.reset()
            #expect(try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"]).headers[.location] == "/login/password")
            #expect(try await browser.request("/login/password", method: .post, form: ["password": "correct horse"]).headers[.location] == "/login/approve")
            try await Self.approve(browser, phone, client, counter: counter)
            #expect(try await browser.request("/login/complete").headers[.location] == "/")
            #expect(try await browser.request("/").status == .ok)
            Self.report("mfa", counter)
            #expect(counter.count <= SignInBudget.mfa.statements)
            #expect(counter.writes <= SignInBudget.mfa.writes)
        }
    }

    @Test("A denied passwordless sign-in stays within its statement budget")
    func denial() async throws {
        let counter = StatementCounter()
        try await TestServer.run(configure: { _ in }, counter: counter) { store, client in
            let (browser, phone) = try await Self.prepared(store, client)
            counter.reset()
            #expect(try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"]).headers[.location] == "/login/approve")
            try await Self.approve(browser, phone, client, counter: counter, decision: .deny)
            #expect(try await browser.request("/login/status").json(PushChannelTests.StatusView.self).state == "denied")
            Self.report("denial", counter)
            #expect(counter.count <= SignInBudget.denial.statements)
            #expect(counter.writes <= SignInBudget.denial.writes)
        }
    }
}
