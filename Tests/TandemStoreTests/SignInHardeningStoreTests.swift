import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The throttle counters of decision 0013, the same from every backend: a compare-and-set on the
/// version (also under a race), and the expiring second-factor lock ended with its count.
@Suite("Sign-in hardening storage conformance")
struct SignInHardeningStoreTests {
    static let t0 = Fixtures.t0

    @Test("A throttle row is created once and changed only from the version it was read at", arguments: Backend.allCases)
    func compareAndSet(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            #expect(try await s.throttleRecord(key: "account|u1") == nil)
            let first = ThrottleRecord(key: "account|u1", failures: 1, lastFailureAt: Self.t0, milliTokens: 0, updatedAt: Self.t0, version: 1)
            #expect(try await s.replaceThrottle(first, expected: nil))
            #expect(try await s.replaceThrottle(first, expected: nil) == false, "a second insert loses")
            var second = first
            second.failures = 2
            second.lockedUntil = Self.t0.addingTimeInterval(3600)
            second.lockedAt = Self.t0
            second.version = 2
            #expect(try await s.replaceThrottle(second, expected: first))
            var stale = first
            stale.failures = 9
            stale.version = 2
            #expect(try await s.replaceThrottle(stale, expected: first) == false, "written from an old read")
            #expect(try await s.throttleRecord(key: "account|u1") == second)
        }
    }

    @Test("Racing failures on one name are all counted", arguments: Backend.allCases)
    func race(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let env = ServiceEnvironment(storage: s, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                         passwords: PlainTestPasswordHasher(), clock: ManualClock(Self.t0), random: SeededRandomSource(seed: 3),
                                         settings: ServiceSettings(publicURL: "http://127.0.0.1"))
            let throttle = SignInThrottleService(env: env)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<10 { group.addTask { _ = try await throttle.recordFailure(key: "account|race", userID: nil) } }
                try await group.waitForAll()
            }
            #expect(try await s.throttleRecord(key: "account|race")?.failures == 10)
        }
    }
}
