import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// Passkeys and their challenges, the same from every backend: one credential id registers once,
/// a challenge is taken once and never after its expiry, and the signature counter moves only
/// from the value it was read at.
@Suite("Passkey storage conformance")
struct PasskeyStoreTests {
    static let t0 = Fixtures.t0

    static func passkey(userID: String, id: String = UUID().uuidString, credentialID: String = "Y3JlZC0x") -> Passkey {
        Passkey(id: id, userID: userID, credentialID: credentialID, publicKey: "pQECAyYgAQ", algorithm: -7, signCount: 0,
                aaguid: "00000000-0000-0000-0000-000000000000", backupEligible: true, backedUp: false, attestationFormat: "none",
                transports: ["internal", "hybrid"], name: "Laptop", createdAt: t0)
    }

    @Test("A passkey round-trips and one credential id registers only once", arguments: Backend.allCases)
    func roundTrip(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            let bob = Fixtures.user("bob@contoso.com")
            try await s.insertUser(alice)
            try await s.insertUser(bob)
            let key = Self.passkey(userID: alice.id)
            #expect(try await s.insertPasskey(key))
            #expect(try await s.insertPasskey(Self.passkey(userID: bob.id)) == false, "the same credential id for another user")
            #expect(try await s.passkey(id: key.id) == key)
            #expect(try await s.passkey(credentialID: key.credentialID) == key)
            #expect(try await s.passkeys(userID: alice.id) == [key])
            #expect(try await s.passkeys(userID: bob.id).isEmpty)
            var none = Self.passkey(userID: alice.id, credentialID: "Y3JlZC0y")
            none.transports = []
            none.attestation = "basic"   // a verified attestation chain (migration 141, decision 0037)
            none.createdAt = Self.t0.addingTimeInterval(1)
            #expect(try await s.insertPasskey(none))
            #expect(try await s.passkey(id: none.id) == none)
            #expect(try await s.passkey(id: key.id)?.attestationLevel == "notAttested")
            #expect(try await s.passkey(id: none.id)?.attestationLevel == "attested")
            #expect(try await s.passkeys(userID: alice.id).map(\.id) == [key.id, none.id])
            #expect(try await s.passkey(id: none.id)?.transports == [])
        }
    }

    @Test("Only the owner deletes a passkey", arguments: Backend.allCases)
    func delete(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            let bob = Fixtures.user("bob@contoso.com")
            try await s.insertUser(alice)
            try await s.insertUser(bob)
            let key = Self.passkey(userID: alice.id)
            _ = try await s.insertPasskey(key)
            #expect(try await s.deletePasskey(id: key.id, userID: bob.id) == false)
            #expect(try await s.deletePasskey(id: key.id, userID: alice.id))
            #expect(try await s.deletePasskey(id: key.id, userID: alice.id) == false)
            #expect(try await s.passkey(credentialID: key.credentialID) == nil)
        }
    }

    @Test("A use is recorded only from the counter it was verified against", arguments: Backend.allCases)
    func counterCompareAndSet(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            try await s.insertUser(alice)
            let key = Self.passkey(userID: alice.id)
            _ = try await s.insertPasskey(key)
            let used = Self.t0.addingTimeInterval(60)
            #expect(try await s.recordPasskeyUse(id: key.id, expectedSignCount: 0, signCount: 5, backedUp: true, at: used))
            #expect(try await s.recordPasskeyUse(id: key.id, expectedSignCount: 0, signCount: 6, backedUp: true, at: used) == false,
                    "a second assertion verified against the old counter loses")
            let stored = try #require(try await s.passkey(id: key.id))
            #expect(stored.signCount == 5)
            #expect(stored.backedUp)
            #expect(stored.lastUsedAt == used)
        }
    }

    @Test("A challenge is taken once, never after it expires", arguments: Backend.allCases)
    func challengeSingleUse(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            try await s.insertUser(alice)
            let challenge = PasskeyChallenge(id: "c1", userID: alice.id, purpose: .registration, challenge: "AAEC",
                                             createdAt: Self.t0, expiresAt: Self.t0.addingTimeInterval(300))
            try await s.insertPasskeyChallenge(challenge)
            #expect(try await s.consumePasskeyChallenge(id: "c1", now: Self.t0.addingTimeInterval(10)) == challenge)
            #expect(try await s.consumePasskeyChallenge(id: "c1", now: Self.t0.addingTimeInterval(11)) == nil, "a replay")
            let late = PasskeyChallenge(id: "c2", userID: nil, purpose: .authentication, challenge: "AAED",
                                        createdAt: Self.t0, expiresAt: Self.t0.addingTimeInterval(300))
            try await s.insertPasskeyChallenge(late)
            #expect(try await s.consumePasskeyChallenge(id: "c2", now: Self.t0.addingTimeInterval(300)) == nil, "at its expiry")
            #expect(try await s.consumePasskeyChallenge(id: "nope", now: Self.t0) == nil)
            #expect(try await s.purgePasskeyChallenges(before: Self.t0.addingTimeInterval(301)) == 2)
        }
    }

    @Test("Racing consumers of one challenge: exactly one wins", arguments: Backend.allCases)
    func challengeRace(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let challenge = PasskeyChallenge(id: "race", userID: nil, purpose: .authentication, challenge: "AAEC",
                                             createdAt: Self.t0, expiresAt: Self.t0.addingTimeInterval(300))
            try await s.insertPasskeyChallenge(challenge)
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await s.consumePasskeyChallenge(id: "race", now: Self.t0) != nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
        }
    }
}
