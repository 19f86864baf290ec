import Foundation
import TandemCore
import TandemServices

/// One open push channel to an authenticator.
public protocol DeviceConnection: Sendable {
    /// Queues a message for the device; returns false when the channel is closed.
    @discardableResult
    func send(_ message: ChannelMessage) -> Bool
}

/// The push hub: which devices are connected to this instance, and fan-out to them. A device that
/// is not connected finds its requests in the store when it connects (`GET pending` or the
/// channel's catch-up), so nothing depends on the hub's memory surviving a restart.
public actor PushHub: PushNotifier {
    private var connections: [String: [UUID: any DeviceConnection]] = [:]
    /// Told of each request handed to a live channel (the delivery trail's "sent").
    private var onSent: (@Sendable (_ challengeID: String, _ deviceID: String) async -> Void)?

    public init() {}

    /// Sets the observer of sends (the delivery trail).
    public func observeSends(_ observer: @escaping @Sendable (_ challengeID: String, _ deviceID: String) async -> Void) {
        onSent = observer
    }

    /// Registers an authenticated channel; returns the token to unregister it.
    public func register(deviceID: String, connection: any DeviceConnection) -> UUID {
        let token = UUID()
        connections[deviceID, default: [:]][token] = connection
        return token
    }

    /// Removes a channel.
    public func unregister(deviceID: String, token: UUID) {
        connections[deviceID]?[token] = nil
        if connections[deviceID]?.isEmpty == true { connections[deviceID] = nil }
    }

    /// How many devices have at least one open channel here.
    public var connectedDevices: Int { connections.count }

    /// Whether a device has an open channel here.
    public func isConnected(deviceID: String) -> Bool { connections[deviceID] != nil }

    /// The devices with at least one open channel here.
    public var connectedDeviceIDs: [String] { Array(connections.keys) }

    /// Whether any of `deviceIDs` has an open channel here.
    public func isConnected(anyOf deviceIDs: [String]) -> Bool { deviceIDs.contains { connections[$0] != nil } }

    public func deliver(_ offer: ChallengeOffer, to deviceIDs: [String]) async {
        for id in deviceIDs {
            for connection in connections[id]?.values ?? [:].values {
                if connection.send(ChannelMessage(type: .request, request: offer)) { await onSent?(offer.id, id) }
            }
        }
    }

    public func withdraw(challengeID: String, reason: String, from deviceIDs: [String]) async {
        for id in deviceIDs {
            for connection in connections[id]?.values ?? [:].values {
                connection.send(ChannelMessage(type: .withdrawn, challengeId: challengeID, reason: reason))
            }
        }
    }

    public func notify(_ notice: DeviceNotice, to deviceIDs: [String]) async {
        for id in deviceIDs {
            for connection in connections[id]?.values ?? [:].values {
                connection.send(ChannelMessage(type: .notice, notice: notice))
            }
        }
    }

    /// Closes every channel of a device (it was removed).
    public func disconnect(deviceID: String) {
        for connection in connections[deviceID]?.values ?? [:].values {
            connection.send(ChannelMessage(type: .error, error: "device removed"))
        }
        connections[deviceID] = nil
    }
}
