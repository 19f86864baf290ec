import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// Third-party authenticator apps (decision 0031), the same from every backend: a pending method
/// is confirmed once and never after its expiry, only by its user; each step is used once; the
/// active methods come back with the devices' code secrets.
@Suite("Software OATH storage conformance")
struct SoftwareOathStoreTests {
    static let t0 = Fixtures.t0

    static func pending(userID: String, id: String = UUID().uuidString) -> SoftwareOathMethod {
        SoftwareOathMethod(id: id, userID: userID, secret: "sealed1.x", state: .pending, name: "Authenticator app",
                           createdAt: t0, expiresAt: t0.addingTimeInterval(600))
    }

    @Test("A pending method is confirmed once, by its user, before its expiry", arguments: Backend.allCases)
    func confirmOnce(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            let bob = Fixtures.user("bob@contoso.com")
            try await s.insertUser(alice)
            try await s.insertUser(bob)
            let m = Self.pending(userID: alice.id)
            try await s.insertSoftwareOathMethod(m)
            #expect(try await s.pendingSoftwareOathMethod(id: m.id, userID: alice.id, now: Self.t0) == m)
            #expect(try await s.pendingSoftwareOathMethod(id: m.id, userID: bob.id, now: Self.t0) == nil)
            #expect(try await s.softwareOathMethods(userID: alice.id).isEmpty)
            #expect(try await s.softwareOathMethod(id: m.id) == nil)
            #expect(try await s.totpCredentials(userID: alice.id).isEmpty, "a pending method gives no codes")
            #expect(try await s.activateSoftwareOathMethod(id: m.id, userID: bob.id, step: 5, now: Self.t0) == false)
            #expect(try await s.activateSoftwareOathMethod(id: m.id, userID: alice.id, step: 5, now: Self.t0.addingTimeInterval(600)) == false,
                    "expired")
            #expect(try await s.activateSoftwareOathMethod(id: m.id, userID: alice.id, step: 5, now: Self.t0.addingTimeInterval(1)))
            #expect(try await s.activateSoftwareOathMethod(id: m.id, userID: alice.id, step: 6, now: Self.t0.addingTimeInterval(2)) == false)
            let active = try #require(try await s.softwareOathMethod(id: m.id))
            #expect(active.state == .active && active.expiresAt == nil && active.lastUsedStep == 5)
            #expect(try await s.totpCredentials(userID: alice.id)
                    == [TOTPCredential(deviceID: m.id, secret: "sealed1.x", lastUsedStep: 5, kind: .softwareOath)])
            #expect(try await s.useSoftwareOathStep(id: m.id, step: 5, at: Self.t0) == false, "the confirming step is used")
            #expect(try await s.useSoftwareOathStep(id: m.id, step: 6, at: Self.t0.addingTimeInterval(30)))
            #expect(try await s.useSoftwareOathStep(id: m.id, step: 6, at: Self.t0.addingTimeInterval(31)) == false)
            #expect(try await s.deleteSoftwareOathMethod(id: m.id, userID: bob.id) == false)
            #expect(try await s.deleteSoftwareOathMethod(id: m.id, userID: alice.id))
            #expect(try await s.softwareOathMethods(userID: alice.id).isEmpty)
        }
    }

    @Test("Expired pending methods are purged; active ones stay", arguments: Backend.allCases)
    func purge(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            try await s.insertUser(alice)
            let old = Self.pending(userID: alice.id)
            let kept = Self.pending(userID: alice.id)
            try await s.insertSoftwareOathMethod(old)
            try await s.insertSoftwareOathMethod(kept)
            #expect(try await s.activateSoftwareOathMethod(id: kept.id, userID: alice.id, step: 1, now: Self.t0))
            #expect(try await s.purgeSoftwareOathPending(before: Self.t0.addingTimeInterval(601)) == 1)
            #expect(try await s.pendingSoftwareOathMethod(id: old.id, userID: alice.id, now: Self.t0) == nil)
            #expect(try await s.softwareOathMethods(userID: alice.id).map(\.id) == [kept.id])
        }
    }
}
