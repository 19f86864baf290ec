import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The registration campaign's snoozes (decision 0034), the same from every backend: counted one
/// at a time, bounded by a compare-and-set even when requests race, per user.
@Suite("Registration campaign storage conformance")
struct RegistrationCampaignStoreTests {
    static let t0 = Fixtures.t0

    @Test("Snoozes count up to the bound and no further; another user's are their own", arguments: Backend.allCases)
    func bounded(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            let bob = Fixtures.user("bob@contoso.com")
            try await s.insertUser(alice)
            try await s.insertUser(bob)
            #expect(try await s.campaignSnoozes(userID: alice.id) == nil)
            for n in 1...3 {
                #expect(try await s.recordCampaignSnooze(userID: alice.id, at: Self.t0.addingTimeInterval(Double(n)), limit: 3) == n)
            }
            #expect(try await s.recordCampaignSnooze(userID: alice.id, at: Self.t0.addingTimeInterval(9), limit: 3) == nil)
            #expect(try await s.campaignSnoozes(userID: alice.id) == .init(count: 3, lastAt: Self.t0.addingTimeInterval(3)),
                    "a refused snooze changes nothing")
            #expect(try await s.recordCampaignSnooze(userID: alice.id, at: Self.t0.addingTimeInterval(10), limit: nil) == 4, "no bound")
            #expect(try await s.campaignSnoozes(userID: bob.id) == nil)
            #expect(try await s.recordCampaignSnooze(userID: bob.id, at: Self.t0, limit: 0) == nil)
        }
    }

    @Test("Parallel snoozes cannot pass the bound", arguments: Backend.allCases)
    func racing(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            try await s.insertUser(alice)
            let accepted = try await withThrowingTaskGroup(of: Int?.self) { group in
                for i in 0..<12 { group.addTask { try await s.recordCampaignSnooze(userID: alice.id, at: Self.t0.addingTimeInterval(Double(i)), limit: 3) } }
                var counts: [Int] = []
                for try await count in group { if let count { counts.append(count) } }
                return counts
            }
            #expect(accepted.sorted() == [1, 2, 3])
            #expect(try await s.campaignSnoozes(userID: alice.id)?.count == 3)
        }
    }
}
