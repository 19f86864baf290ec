import Foundation
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// One clock (issue 11): a long-poll's deadline is an instant of the server's clock, and the
/// wait itself only counts seconds. Before, the controller took the deadline from the wall clock
/// and compared it with the injected clock's instants, so with a server clock that is not the
/// wall clock (a test's `ManualClock`, or the instants stored by another instance) the browser's
/// `?wait=` either never waited or waited on the wrong instant (checked: with the old controller
/// this test fails at "the long-poll returned after …").
@Suite("The server's one clock")
struct ServerClockTests {
    @Test("A long-poll waits its seconds, bounded by the request's expiry, by the server's clock")
    func longPollByServerClock() async throws {
        // Two minutes ahead of the wall clock and standing still (a phone may be up to 300 s off):
        // with the deadline taken from the wall clock, the long-poll's end was already past.
        let clock = ManualClock(Date().addingTimeInterval(120))
        try await TestServer.run(configure: { _ in }, clock: clock) { store, client in
            let (_, _, _) = try await SignInPagesTests.setUp(store, client)
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            #expect(try await browser.request("/login/password", method: .post, form: ["password": "correct horse"])
                .headers[.location] == "/login/approve")
            // The push is pending; a one-second long-poll waits about a second, then says pending.
            let started = ContinuousClock.now
            let pending = try await browser.request("/login/status?wait=1").json(PushChannelTests.StatusView.self)
            let waited = ContinuousClock.now - started
            #expect(pending.state == "pending")
            #expect(waited >= .milliseconds(900), "the long-poll returned after \(waited) instead of waiting")
            #expect(waited < .seconds(10))
            // The server's clock passes the request's expiry: a long wait returns at once, expired.
            clock.advance(by: 600)
            let again = ContinuousClock.now
            let expired = try await browser.request("/login/status?wait=30").json(PushChannelTests.StatusView.self)
            #expect(expired.state == "expired")
            #expect(ContinuousClock.now - again < .seconds(5))
        }
    }
}
