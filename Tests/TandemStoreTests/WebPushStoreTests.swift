import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// Web Push subscriptions (migration 185), the same from every backend: one per device, replaced
/// by the next, deleted once, and the push service's "gone" deletes only the endpoint it was about.
@Suite("Web Push subscription storage conformance")
struct WebPushStoreTests {
    static func subscription(_ deviceID: String, _ endpoint: String, at seconds: Double = 0) -> WebPushSubscription {
        WebPushSubscription(deviceID: deviceID, endpoint: endpoint, p256dh: "BCVxsr7N_eNgVRqvHtD0zTZsEc6", auth: "BTBZMqHH6r4Tts7J_aSIgg",
                            createdAt: Fixtures.t0.addingTimeInterval(seconds))
    }

    @Test("A subscription round-trips, one per device, replaced by the next and deleted once", arguments: Backend.allCases)
    func onePerDevice(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            try await s.insertUser(alice)
            let phone = Fixtures.device(userID: alice.id)
            let tablet = Fixtures.device(userID: alice.id)
            try await s.insertDevice(phone)
            try await s.insertDevice(tablet)
            #expect(try await s.webPushSubscription(deviceID: phone.id) == nil)
            let first = Self.subscription(phone.id, "https://push.example.net/send/one")
            try await s.saveWebPushSubscription(first)
            #expect(try await s.webPushSubscription(deviceID: phone.id) == first)
            let second = Self.subscription(phone.id, "https://push.example.net/send/two", at: 60)
            try await s.saveWebPushSubscription(second)
            #expect(try await s.webPushSubscription(deviceID: phone.id) == second, "the second replaces the first")
            try await s.saveWebPushSubscription(Self.subscription(tablet.id, "https://push.example.net/send/three"))
            let both = try await s.webPushSubscriptions(deviceIDs: [tablet.id, phone.id, "no-such-device", phone.id])
            #expect(Set(both.map(\.endpoint)) == ["https://push.example.net/send/two", "https://push.example.net/send/three"])
            #expect(both.count == 2)
            #expect(try await s.webPushSubscriptions(deviceIDs: []).isEmpty)
            #expect(try await s.deleteWebPushSubscription(deviceID: phone.id))
            #expect(try await s.deleteWebPushSubscription(deviceID: phone.id) == false)
            #expect(try await s.webPushSubscription(deviceID: phone.id) == nil)
            #expect(try await s.webPushSubscription(deviceID: tablet.id) != nil, "another device's subscription stays")
        }
    }

    @Test("Gone deletes the subscription only while it still has that endpoint", arguments: Backend.allCases)
    func goneEndpoint(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            try await s.insertUser(alice)
            let phone = Fixtures.device(userID: alice.id)
            try await s.insertDevice(phone)
            try await s.saveWebPushSubscription(Self.subscription(phone.id, "https://push.example.net/send/new"))
            #expect(try await s.deleteWebPushSubscription(deviceID: phone.id, endpoint: "https://push.example.net/send/old") == false)
            #expect(try await s.webPushSubscription(deviceID: phone.id)?.endpoint == "https://push.example.net/send/new")
            #expect(try await s.deleteWebPushSubscription(deviceID: phone.id, endpoint: "https://push.example.net/send/new"))
            #expect(try await s.webPushSubscription(deviceID: phone.id) == nil)
        }
    }

    @Test("A saved subscription is undone with the transaction that saved it", arguments: Backend.allCases)
    func rolledBack(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let alice = Fixtures.user()
            try await s.insertUser(alice)
            let phone = Fixtures.device(userID: alice.id)
            try await s.insertDevice(phone)
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await s.transaction { tx in
                    try await tx.saveWebPushSubscription(Self.subscription(phone.id, "https://push.example.net/send/one"))
                    throw Refused()
                }
            }
            #expect(try await s.webPushSubscription(deviceID: phone.id) == nil)
        }
    }
}
