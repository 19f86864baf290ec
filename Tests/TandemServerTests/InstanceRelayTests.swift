import Foundation
import TandemCore
import TandemPush
import TandemServices
import TandemTesting
import Testing

/// A device channel that records what it is sent.
final class RecordingConnection: DeviceConnection, @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [ChannelMessage] = []
    func send(_ message: ChannelMessage) -> Bool {
        lock.withLock { messages.append(message) }
        return true
    }
    var received: [ChannelMessage] { lock.withLock { messages } }
}

@Suite("Instance relay")
struct InstanceRelayTests {
    static let offer = ChallengeOffer(id: "c1", kind: .passwordless, nonce: "n", userPrincipalName: "alice@contoso.com",
                                      displayName: "Alice", context: ChallengeContext(application: "Tandem", ipAddress: "192.0.2.1",
                                                                                      location: "", browser: "B"),
                                      createdAt: Date(timeIntervalSince1970: 1_800_000_000), expiresAt: Date(timeIntervalSince1970: 1_800_000_120))

    struct Instance {
        let relay: InstanceRelay
        let listening: Task<Void, Never>
    }

    static func instance(_ network: InMemoryInstanceNetwork, loadOffer: @escaping @Sendable (String) async -> ChallengeOffer? = { _ in nil }) async -> Instance {
        let relay = InstanceRelay(hub: PushHub(), watch: ChallengeWatch(), bus: network.bus(), loadOffer: loadOffer, pendingOffers: { _ in [] })
        let listening = Task { await relay.run() }
        try? await Task.sleep(for: .milliseconds(50))
        return Instance(relay: relay, listening: listening)
    }

    static func eventually(_ condition: () async -> Bool) async -> Bool {
        for _ in 0..<100 {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return false
    }

    @Test("A push from one instance reaches the device connected to another, and a withdrawal follows it")
    func deliverAndWithdraw() async throws {
        let network = InMemoryInstanceNetwork()
        let a = await Self.instance(network)
        let b = await Self.instance(network)
        defer { a.listening.cancel(); b.listening.cancel() }
        let phone = RecordingConnection()
        _ = await b.relay.hub.register(deviceID: "d1", connection: phone)
        await a.relay.notifier.deliver(Self.offer, to: ["d1"])
        #expect(await Self.eventually { phone.received.count == 1 })
        #expect(phone.received.first?.request == Self.offer)
        await a.relay.notifier.withdraw(challengeID: "c1", reason: "answeredElsewhere", from: ["d1"])
        #expect(await Self.eventually { phone.received.count == 2 })
        #expect(phone.received.last?.type == .withdrawn && phone.received.last?.challengeId == "c1")
    }

    @Test("A delivery that travelled without its offer is read from the store by the receiver")
    func deliverWithoutOffer() async throws {
        let network = InMemoryInstanceNetwork()
        let b = await Self.instance(network) { id in id == "c1" ? Self.offer : nil }
        defer { b.listening.cancel() }
        let phone = RecordingConnection()
        _ = await b.relay.hub.register(deviceID: "d1", connection: phone)
        await network.bus().publish(.deliver(challengeID: "c1", offer: nil, deviceIDs: ["d1"]))
        #expect(await Self.eventually { phone.received.count == 1 })
        #expect(phone.received.first?.request?.id == "c1")
    }

    @Test("A browser waiting on one instance wakes when the challenge changes on another")
    func wakeAcrossInstances() async throws {
        let network = InMemoryInstanceNetwork()
        let a = await Self.instance(network)
        let b = await Self.instance(network)
        defer { a.listening.cancel(); b.listening.cancel() }
        let started = ContinuousClock.now
        async let waited: Void = a.relay.events.wait(challengeID: "c1", for: 20)
        try await Task.sleep(for: .milliseconds(100))
        await b.relay.events.changed(challengeID: "c1")
        await waited
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("A wait that starts just after the change it waits for returns at once")
    func lateWait() async throws {
        let watch = ChallengeWatch()
        await watch.changed(challengeID: "c1")
        let started = ContinuousClock.now
        await watch.wait(challengeID: "c1", for: 20)
        #expect(ContinuousClock.now - started < .seconds(5))
    }
}
