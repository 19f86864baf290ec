import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The web authenticator's storage (migration 180), the same from every backend: a web device
/// round-trips with its platform and open challenge; its approval passkey registers once, only
/// with the open, unexpired challenge, never with another device's credential; the counter is a
/// compare-and-set that `updateDevice` cannot roll back, and a refused counter undoes the answer
/// written in the same transaction.
@Suite("Web authenticator storage conformance")
struct WebAuthenticatorStoreTests {
    static let t0 = Fixtures.t0

    static func webDevice(userID: String, id: String = UUID().uuidString, challenge: String = "Y2hhbGxlbmdlLW9uZQ") -> Device {
        Device(id: id, userID: userID, name: "Alice's iPhone", appVersion: "web-1", deviceKey: "k1", approvalKey: "",
               state: .unconfirmed, createdAt: t0, platform: .web,
               approvalPasskeyChallenge: ApprovalPasskeyChallenge(challenge: challenge, expiresAt: t0.addingTimeInterval(600)))
    }

    static func passkey(_ credentialID: String = "Y3JlZC0x", signCount: Int64 = 0) -> ApprovalPasskey {
        ApprovalPasskey(credentialID: credentialID, publicKey: "cose", signCount: signCount, backupEligible: true, registeredAt: t0)
    }

    @Test("A web device round-trips with its platform and open challenge; an app device reads as app", arguments: Backend.allCases)
    func roundTrip(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let web = Self.webDevice(userID: user.id)
            try await s.insertDevice(web)
            #expect(try await s.device(id: web.id) == web)
            let app = Fixtures.device(userID: user.id)
            try await s.insertDevice(app)
            let stored = try #require(try await s.device(id: app.id))
            #expect(stored.platform == .app && stored.approvalPasskey == nil && stored.approvalPasskeyChallenge == nil)
        }
    }

    @Test("The approval passkey registers once, with the open unexpired challenge only, never with another device's credential",
          arguments: Backend.allCases)
    func registration(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let device = Self.webDevice(userID: user.id)
            try await s.insertDevice(device)
            let expires = Self.t0.addingTimeInterval(600)
            #expect(try await s.registerApprovalPasskey(deviceID: device.id, challenge: "b3RoZXI", passkey: Self.passkey(), now: Self.t0) == .challengeRefused)
            #expect(try await s.registerApprovalPasskey(deviceID: device.id, challenge: "Y2hhbGxlbmdlLW9uZQ", passkey: Self.passkey(), now: expires)
                    == .challengeRefused, "expired at expiresAt")
            #expect(try await s.registerApprovalPasskey(deviceID: "nope", challenge: "Y2hhbGxlbmdlLW9uZQ", passkey: Self.passkey(), now: Self.t0)
                    == .challengeRefused)
            #expect(try await s.registerApprovalPasskey(deviceID: device.id, challenge: "Y2hhbGxlbmdlLW9uZQ", passkey: Self.passkey(), now: Self.t0)
                    == .registered)
            let stored = try #require(try await s.device(id: device.id))
            #expect(stored.approvalPasskey == Self.passkey())
            #expect(stored.approvalPasskeyChallenge == nil, "the challenge is spent")
            #expect(try await s.registerApprovalPasskey(deviceID: device.id, challenge: "Y2hhbGxlbmdlLW9uZQ", passkey: Self.passkey("b3RoZXI"),
                                                        now: Self.t0) == .alreadyRegistered)
            let second = Self.webDevice(userID: user.id, challenge: "Y2hhbGxlbmdlLXR3bw")
            try await s.insertDevice(second)
            #expect(try await s.registerApprovalPasskey(deviceID: second.id, challenge: "Y2hhbGxlbmdlLXR3bw", passkey: Self.passkey(), now: Self.t0)
                    == .credentialTaken)
            // An app device has no challenge to register with.
            let app = Fixtures.device(userID: user.id)
            try await s.insertDevice(app)
            #expect(try await s.registerApprovalPasskey(deviceID: app.id, challenge: "", passkey: Self.passkey("YXBw"), now: Self.t0) == .challengeRefused)
        }
    }

    @Test("Racing registrations with one challenge: exactly one wins", arguments: Backend.allCases)
    func registrationRace(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let device = Self.webDevice(userID: user.id)
            try await s.insertDevice(device)
            let outcomes = try await withThrowingTaskGroup(of: ApprovalPasskeyRegistration.self) { group in
                for i in 0..<10 {
                    group.addTask {
                        try await s.registerApprovalPasskey(deviceID: device.id, challenge: "Y2hhbGxlbmdlLW9uZQ",
                                                            passkey: Self.passkey("Y3JlZC1y\(i)"), now: Self.t0)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .registered }.count == 1)
        }
    }

    @Test("Ten devices racing to register one credential id: one registers, the others hear it is taken (no error)", arguments: Backend.allCases)
    func credentialRace(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let devices = (0..<10).map { Self.webDevice(userID: user.id, challenge: "Y2hhbGxlbmdl\($0)") }
            for device in devices { try await s.insertDevice(device) }
            let outcomes = try await withThrowingTaskGroup(of: ApprovalPasskeyRegistration.self) { group in
                for (i, device) in devices.enumerated() {
                    group.addTask {
                        try await s.registerApprovalPasskey(deviceID: device.id, challenge: "Y2hhbGxlbmdl\(i)", passkey: Self.passkey("c2FtZQ"), now: Self.t0)
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 == .registered }.count == 1)
            #expect(outcomes.filter { $0 == .credentialTaken }.count == 9)
        }
    }

    @Test("The counter is a compare-and-set on the credential; updateDevice never writes it", arguments: Backend.allCases)
    func counter(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let device = Self.webDevice(userID: user.id)
            try await s.insertDevice(device)
            #expect(try await s.recordApprovalPasskeyUse(deviceID: device.id, credentialID: "Y3JlZC0x", expectedSignCount: 0, signCount: 1) == false,
                    "no passkey yet")
            _ = try await s.registerApprovalPasskey(deviceID: device.id, challenge: "Y2hhbGxlbmdlLW9uZQ", passkey: Self.passkey(), now: Self.t0)
            let stale = try #require(try await s.device(id: device.id))
            #expect(try await s.recordApprovalPasskeyUse(deviceID: device.id, credentialID: "b3RoZXI", expectedSignCount: 0, signCount: 5) == false,
                    "another credential")
            #expect(try await s.recordApprovalPasskeyUse(deviceID: device.id, credentialID: "Y3JlZC0x", expectedSignCount: 0, signCount: 5))
            #expect(try await s.recordApprovalPasskeyUse(deviceID: device.id, credentialID: "Y3JlZC0x", expectedSignCount: 0, signCount: 6) == false,
                    "expected count no longer stored")
            var used = stale
            used.state = .active
            used.lastUsedAt = Self.t0.addingTimeInterval(9)
            try await s.updateDevice(used)
            let stored = try #require(try await s.device(id: device.id))
            #expect(stored.state == .active && stored.approvalPasskey?.signCount == 5, "a stale copy does not roll the counter back")
        }
    }

    @Test("Racing counter writes from one expected value: exactly one wins", arguments: Backend.allCases)
    func counterRace(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let device = Self.webDevice(userID: user.id)
            try await s.insertDevice(device)
            _ = try await s.registerApprovalPasskey(deviceID: device.id, challenge: "Y2hhbGxlbmdlLW9uZQ", passkey: Self.passkey(signCount: 3), now: Self.t0)
            let winners = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for count in Int64(4)...13 {
                    group.addTask {
                        try await s.recordApprovalPasskeyUse(deviceID: device.id, credentialID: "Y3JlZC0x", expectedSignCount: 3, signCount: count) ? count : nil
                    }
                }
                return try await group.reduce(into: [Int64]()) { if let won = $1 { $0.append(won) } }
            }
            #expect(winners.count == 1)
            #expect(try await s.device(id: device.id)?.approvalPasskey?.signCount == winners.first)
        }
    }

    @Test("A refused counter in the answer's transaction undoes the answer; a lost answer writes no counter", arguments: Backend.allCases)
    func counterWithAnswer(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let device = Self.webDevice(userID: user.id)
            try await s.insertDevice(device)
            _ = try await s.registerApprovalPasskey(deviceID: device.id, challenge: "Y2hhbGxlbmdlLW9uZQ", passkey: Self.passkey(signCount: 3), now: Self.t0)
            let challenge = Fixtures.challenge(userID: user.id)
            try await s.insertChallenge(challenge)
            var approved = challenge
            _ = approved.answer(.approve, typedNumber: "42", deviceID: device.id, now: Self.t0)
            let answered = approved
            // The counter's compare-and-set fails (expected 2, stored 3): the answer is undone with it.
            await #expect(throws: TandemError.self) {
                try await s.transaction { tx in
                    guard try await tx.replaceChallenge(answered, ifStateIs: .pending) else { return }
                    guard try await tx.recordApprovalPasskeyUse(deviceID: device.id, credentialID: "Y3JlZC0x", expectedSignCount: 2, signCount: 4)
                    else { throw TandemError(.unauthorized, "counter") }
                }
            }
            #expect(try await s.challenge(id: challenge.id)?.state == .pending)
            // Now the answer commits with its counter.
            let won = try await s.transaction { tx in
                guard try await tx.replaceChallenge(answered, ifStateIs: .pending) else { return false }
                return try await tx.recordApprovalPasskeyUse(deviceID: device.id, credentialID: "Y3JlZC0x", expectedSignCount: 3, signCount: 4)
            }
            #expect(won)
            // A second answer loses the challenge's compare-and-set and so never reaches the counter.
            let lost = try await s.transaction { tx in
                guard try await tx.replaceChallenge(answered, ifStateIs: .pending) else { return false }
                return try await tx.recordApprovalPasskeyUse(deviceID: device.id, credentialID: "Y3JlZC0x", expectedSignCount: 4, signCount: 9)
            }
            #expect(lost == false)
            #expect(try await s.challenge(id: challenge.id)?.state == .approved)
            #expect(try await s.device(id: device.id)?.approvalPasskey?.signCount == 4)
        }
    }
}
