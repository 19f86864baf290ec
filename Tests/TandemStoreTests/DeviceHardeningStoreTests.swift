import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The device-hardening storage, the same from every backend: request nonces used once (also
/// under a race), key-change nonces single use, expiring and one per device, notices handed out once.
@Suite("Device hardening storage conformance")
struct DeviceHardeningStoreTests {
    static let t0 = Fixtures.t0

    @Test("A request nonce is used once per device until it expires; expired ones are forgotten", arguments: Backend.allCases)
    func requestNonces(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let expires = Self.t0.addingTimeInterval(300)
            #expect(try await s.useRequestNonce(deviceID: "d1", nonce: "bm9uY2Utb25lLXR3by10aHJlZQ", expiresAt: expires, now: Self.t0))
            #expect(try await s.useRequestNonce(deviceID: "d1", nonce: "bm9uY2Utb25lLXR3by10aHJlZQ", expiresAt: expires, now: Self.t0) == false)
            #expect(try await s.useRequestNonce(deviceID: "d2", nonce: "bm9uY2Utb25lLXR3by10aHJlZQ", expiresAt: expires, now: Self.t0),
                    "another device's nonces are its own")
            // After the window closed the record is gone (the request's time would be refused anyway).
            #expect(try await s.useRequestNonce(deviceID: "d1", nonce: "bm9uY2Utb25lLXR3by10aHJlZQ", expiresAt: expires.addingTimeInterval(600),
                                                now: expires.addingTimeInterval(1)))
        }
    }

    @Test("Racing uses of one request nonce: exactly one wins", arguments: Backend.allCases)
    func requestNonceRace(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 {
                    group.addTask { try await s.useRequestNonce(deviceID: "d1", nonce: "cmFjZS1ub25jZS0xMjM0NQ", expiresAt: Self.t0.addingTimeInterval(300), now: Self.t0) }
                }
                var count = 0
                for try await won in group where won { count += 1 }
                return count
            }
            #expect(wins == 1)
        }
    }

    @Test("A key-change nonce works once, only for its device, only before it expires, and a newer one replaces it", arguments: Backend.allCases)
    func keyChangeNonces(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let expires = Self.t0.addingTimeInterval(120)
            try await s.insertKeyChangeNonce(digest: "a", deviceID: "d1", createdAt: Self.t0, expiresAt: expires)
            #expect(try await s.consumeKeyChangeNonce(digest: "a", deviceID: "d2", now: Self.t0) == false)
            #expect(try await s.consumeKeyChangeNonce(digest: "a", deviceID: "d1", now: expires) == false, "expired at expiresAt")
            #expect(try await s.consumeKeyChangeNonce(digest: "a", deviceID: "d1", now: Self.t0))
            #expect(try await s.consumeKeyChangeNonce(digest: "a", deviceID: "d1", now: Self.t0) == false, "used")
            try await s.insertKeyChangeNonce(digest: "b", deviceID: "d1", createdAt: Self.t0, expiresAt: expires)
            try await s.insertKeyChangeNonce(digest: "c", deviceID: "d1", createdAt: Self.t0, expiresAt: expires)
            #expect(try await s.consumeKeyChangeNonce(digest: "b", deviceID: "d1", now: Self.t0) == false, "replaced by c")
            #expect(try await s.consumeKeyChangeNonce(digest: "c", deviceID: "d1", now: Self.t0))
        }
    }

    @Test("Racing uses of one key-change nonce: exactly one wins", arguments: Backend.allCases)
    func keyChangeNonceRace(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            try await s.insertKeyChangeNonce(digest: "race", deviceID: "d1", createdAt: Self.t0, expiresAt: Self.t0.addingTimeInterval(120))
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 { group.addTask { try await s.consumeKeyChangeNonce(digest: "race", deviceID: "d1", now: Self.t0) } }
                var count = 0
                for try await won in group where won { count += 1 }
                return count
            }
            #expect(wins == 1)
        }
    }

    @Test("Notices are kept per recipient, oldest first, and handed out once", arguments: Backend.allCases)
    func notices(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let first = DeviceNotice(id: "n1", kind: .authenticatorAdded, deviceId: "d2", deviceName: "Tablet", at: Self.t0)
            let second = DeviceNotice(id: "n2", kind: .phoneSignInEnabled, deviceId: "d2", deviceName: "Tablet", at: Self.t0.addingTimeInterval(5))
            try await s.insertDeviceNotice(second, recipientID: "d1")
            try await s.insertDeviceNotice(first, recipientID: "d1")
            try await s.insertDeviceNotice(first, recipientID: "d3")
            #expect(try await s.undeliveredNotices(deviceID: "d1") == [first, second])
            try await s.markNoticesDelivered(deviceID: "d1", ids: ["n1"], at: Self.t0)
            #expect(try await s.undeliveredNotices(deviceID: "d1") == [second])
            #expect(try await s.undeliveredNotices(deviceID: "d3") == [first], "delivery is per recipient")
        }
    }
}
