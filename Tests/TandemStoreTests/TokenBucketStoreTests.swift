import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The per-address token bucket taken in one atomic write (decision 0013's bucket; issue 11's
/// measurement found the read-then-compare-and-set refusing concurrent sign-ins from one address).
@Suite("Sign-in throttles: the address bucket")
struct TokenBucketStoreTests {
    @Test("A new bucket starts full, empties, refills with time, is capped, and a refund gives one back", arguments: Backend.allCases)
    func bucket(backend: Backend) async throws {
        try await OpenStore.with(backend) { store in
            let t0 = Date(timeIntervalSince1970: 1_800_000_000)
            // Three tokens, six a minute (one every 10 s).
            for _ in 0..<3 { #expect(try await store.takeBucketToken(key: "ip|a", milliCapacity: 3000, perMinute: 6, now: t0)) }
            #expect(try await store.takeBucketToken(key: "ip|a", milliCapacity: 3000, perMinute: 6, now: t0) == false)
            #expect(try await store.throttleRecord(key: "ip|a")?.milliTokens == 0)
            // 5 s: half a token — still none.
            #expect(try await store.takeBucketToken(key: "ip|a", milliCapacity: 3000, perMinute: 6, now: t0.addingTimeInterval(5)) == false)
            // 10 s: one.
            #expect(try await store.takeBucketToken(key: "ip|a", milliCapacity: 3000, perMinute: 6, now: t0.addingTimeInterval(10)))
            #expect(try await store.takeBucketToken(key: "ip|a", milliCapacity: 3000, perMinute: 6, now: t0.addingTimeInterval(10)) == false)
            // A refund gives one back, and never above the capacity.
            try await store.refundBucketToken(key: "ip|a", milliCapacity: 3000)
            #expect(try await store.throttleRecord(key: "ip|a")?.milliTokens == 1000)
            for _ in 0..<5 { try await store.refundBucketToken(key: "ip|a", milliCapacity: 3000) }
            #expect(try await store.throttleRecord(key: "ip|a")?.milliTokens == 3000)
            // An hour later it is full, not 360 tokens.
            for _ in 0..<3 { #expect(try await store.takeBucketToken(key: "ip|a", milliCapacity: 3000, perMinute: 6, now: t0.addingTimeInterval(3600))) }
            #expect(try await store.takeBucketToken(key: "ip|a", milliCapacity: 3000, perMinute: 6, now: t0.addingTimeInterval(3600)) == false)
            // Another address has its own bucket; a refund of a bucket never taken stores nothing.
            #expect(try await store.takeBucketToken(key: "ip|b", milliCapacity: 3000, perMinute: 6, now: t0))
            try await store.refundBucketToken(key: "ip|c", milliCapacity: 3000)
            #expect(try await store.throttleRecord(key: "ip|c") == nil)
        }
    }

    @Test("Sixty-four takes at once from one address each take exactly one token: none lost, none refused", arguments: Backend.allCases)
    func concurrent(backend: Backend) async throws {
        try await OpenStore.with(backend) { store in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let taken = try await Self.takeAtOnce(64, store, now: now)
            #expect(taken == 64)
            #expect(try await store.throttleRecord(key: "ip|office")?.milliTokens == 36_000)
            // And with fewer tokens than takers, exactly the tokens there are.
            let few = try await Self.takeAtOnce(40, store, now: now)
            #expect(few == 36)
            #expect(try await store.throttleRecord(key: "ip|office")?.milliTokens == 0)
        }
    }

    /// `count` takes from the office's bucket (100 tokens) at once; how many got a token.
    static func takeAtOnce(_ count: Int, _ store: any TandemStorage, now: Date) async throws -> Int {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask { try await store.takeBucketToken(key: "ip|office", milliCapacity: 100_000, perMinute: 1, now: now) }
            }
            var taken = 0
            for try await ok in group where ok { taken += 1 }
            return taken
        }
    }
}
