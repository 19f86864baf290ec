import Testing
import AuthenticatorKit

@Suite("ReconnectBackoff")
struct ReconnectBackoffTests {
    @Test("Delays double from the initial delay up to the maximum, plus at most 20 % jitter")
    func doubles() {
        let backoff = ReconnectBackoff(initial: .milliseconds(500), maximum: .seconds(30))
        #expect(backoff.delay(attempt: 0, jitter: 0) == .milliseconds(500))
        #expect(backoff.delay(attempt: 1, jitter: 0) == .seconds(1))
        #expect(backoff.delay(attempt: 3, jitter: 0) == .seconds(4))
        #expect(backoff.delay(attempt: 10, jitter: 0) == .seconds(30))
        #expect(backoff.delay(attempt: 1000, jitter: 1) == .seconds(36))
    }
}
