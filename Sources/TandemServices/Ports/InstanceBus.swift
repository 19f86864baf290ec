import Foundation
import TandemCore

/// What one server instance tells the others when several share one database. Carries ids,
/// reasons and the device's view of a request (`ChallengeOffer`, which has no number); never a
/// secret.
public enum InstanceMessage: Sendable, Equatable, Codable {
    /// Deliver a request to whichever of `deviceIDs` are connected to the receiving instance.
    /// `offer` is nil when it was too large to travel: the receiver loads it from the store.
    case deliver(challengeID: String, offer: ChallengeOffer?, deviceIDs: [String])
    /// Withdraw a request from whichever of `deviceIDs` are connected to the receiving instance.
    case withdraw(challengeID: String, reason: String, deviceIDs: [String])
    /// A challenge (or an activation's key) changed: wake the browsers waiting on it.
    case changed(challengeID: String)
    /// A device was removed: close its channels on the receiving instance.
    case disconnect(deviceID: String)
}

/// The channel between server instances (PostgreSQL `LISTEN/NOTIFY`). Delivery is best effort and
/// only speeds things up: whatever must survive lives in the store, where a device's catch-up
/// (`GET pending`, the channel's replay on connect) and a browser's next poll find it.
public protocol InstanceBus: Sendable {
    /// Sends `message` to every other instance.
    func publish(_ message: InstanceMessage) async
    /// Receives the other instances' messages until the task is cancelled, reconnecting when
    /// the connection drops. Calls `onListening` each time the subscription is (re)established.
    func listen(onListening: @escaping @Sendable () async -> Void,
                _ receive: @escaping @Sendable (InstanceMessage) async -> Void) async
}
