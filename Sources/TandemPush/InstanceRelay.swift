import Foundation
import TandemCore
import TandemServices

/// Joins this instance's push hub and browser watch to the other instances over an
/// `InstanceBus`: what happens here goes to the local hub or watch first, then to the bus
/// (`notifier`, `events`); what the bus brings from the others goes to the local hub or watch
/// (`receive`).
public struct InstanceRelay: Sendable {
    public let hub: PushHub
    public let watch: ChallengeWatch
    public let bus: any InstanceBus
    /// Reads a pending request's offer from the store (for a delivery that travelled without it).
    let loadOffer: @Sendable (_ challengeID: String) async -> ChallengeOffer?
    /// Reads the pending requests a device may answer (to resend after messages may have been lost).
    let pendingOffers: @Sendable (_ deviceID: String) async -> [ChallengeOffer]

    public init(hub: PushHub, watch: ChallengeWatch, bus: any InstanceBus,
                loadOffer: @escaping @Sendable (_ challengeID: String) async -> ChallengeOffer?,
                pendingOffers: @escaping @Sendable (_ deviceID: String) async -> [ChallengeOffer]) {
        self.hub = hub
        self.watch = watch
        self.bus = bus
        self.loadOffer = loadOffer
        self.pendingOffers = pendingOffers
    }

    /// The `PushNotifier` the services use.
    public var notifier: any PushNotifier { RelayedPushNotifier(hub: hub, bus: bus) }

    /// The `ChallengeEvents` the services use.
    public var events: any ChallengeEvents { RelayedChallengeEvents(watch: watch, bus: bus) }

    /// Applies a message from another instance.
    public func receive(_ message: InstanceMessage) async {
        switch message {
        case .deliver(let challengeID, let offer, let deviceIDs):
            guard await hub.isConnected(anyOf: deviceIDs) else { return }
            guard let offer = await offer.asyncOr({ await loadOffer(challengeID) }) else { return }
            await hub.deliver(offer, to: deviceIDs)
        case .withdraw(let challengeID, let reason, let deviceIDs):
            await hub.withdraw(challengeID: challengeID, reason: reason, from: deviceIDs)
        case .changed(let challengeID):
            await watch.changed(challengeID: challengeID)
        case .disconnect(let deviceID):
            await hub.disconnect(deviceID: deviceID)
        }
    }

    /// After the bus was (re)connected, messages sent meanwhile may be lost: wake every waiting
    /// browser so it reads the store, and send each connected device its pending requests again
    /// (devices ignore a request they already have).
    public func resynchronise() async {
        await watch.wakeAll()
        for deviceID in await hub.connectedDeviceIDs {
            for offer in await pendingOffers(deviceID) { await hub.deliver(offer, to: [deviceID]) }
        }
    }

    /// Listens to the bus until cancelled.
    public func run() async {
        let first = FirstTime()
        await bus.listen(onListening: {
            if await !first.take() { await self.resynchronise() }
        }, { message in
            await self.receive(message)
        })
    }
}

/// True the first time only.
private actor FirstTime {
    private var done = false
    func take() -> Bool {
        defer { done = true }
        return !done
    }
}

extension Optional where Wrapped: Sendable {
    fileprivate func asyncOr(_ fallback: () async -> Wrapped?) async -> Wrapped? {
        if let self { return self }
        return await fallback()
    }
}

/// Delivers to the devices connected here, then tells the other instances.
struct RelayedPushNotifier: PushNotifier {
    let hub: PushHub
    let bus: any InstanceBus

    func deliver(_ offer: ChallengeOffer, to deviceIDs: [String]) async {
        guard !deviceIDs.isEmpty else { return }
        await hub.deliver(offer, to: deviceIDs)
        await bus.publish(.deliver(challengeID: offer.id, offer: offer, deviceIDs: deviceIDs))
    }

    func withdraw(challengeID: String, reason: String, from deviceIDs: [String]) async {
        guard !deviceIDs.isEmpty else { return }
        await hub.withdraw(challengeID: challengeID, reason: reason, from: deviceIDs)
        await bus.publish(.withdraw(challengeID: challengeID, reason: reason, deviceIDs: deviceIDs))
    }

    func disconnect(deviceID: String) async {
        await hub.disconnect(deviceID: deviceID)
        await bus.publish(.disconnect(deviceID: deviceID))
    }

    /// Notices go to the devices connected here only; a device on another instance reads its
    /// notices from the store when it next connects or lists (`docs/decisions/0011-device-key-changes.md`).
    func notify(_ notice: DeviceNotice, to deviceIDs: [String]) async {
        await hub.notify(notice, to: deviceIDs)
    }
}

/// Wakes the browsers waiting here, then tells the other instances.
struct RelayedChallengeEvents: ChallengeEvents {
    let watch: ChallengeWatch
    let bus: any InstanceBus

    func changed(challengeID: String) async {
        await watch.changed(challengeID: challengeID)
        await bus.publish(.changed(challengeID: challengeID))
    }

    func wait(challengeID: String, for seconds: TimeInterval) async {
        await watch.wait(challengeID: challengeID, for: seconds)
    }
}
