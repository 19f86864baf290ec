import Foundation
import TandemCore

/// The device side of the push channel handshake and message flow, as a value type: one mutating
/// function per event, each returning what the owner must do. Network input never traps.
///
/// `hello` → sign the connect bytes and send `auth`; `ready` → connected; `request` → deliver once
/// per challenge id (remembered across reconnects); `withdrawn` and `notice` → deliver; `error` → refused.
public struct PushChannelStateMachine: Sendable {
    /// Where the current connection is.
    public enum Phase: Sendable, Equatable {
        /// Connected, waiting for the server's `hello`.
        case awaitingHello
        /// `auth` sent, waiting for `ready`.
        case awaitingReady
        /// Authenticated.
        case ready
        /// The server refused the channel, or broke the protocol; the connection must close.
        case closed
    }

    /// What the owner must do after an event.
    public enum Action: Sendable, Equatable {
        /// Sign these connect bytes with the device key and send `auth`.
        case authenticate(bytes: [UInt8])
        /// Hand this event to the listener.
        case deliver(PushEvent)
        /// Nothing to do (a duplicate request, an unknown message after `ready`).
        case ignore
        /// Close the connection and reconnect later: the server broke the protocol.
        case reconnect(reason: String)
        /// Close and stop: the server refused this device.
        case refused(reason: String)
    }

    /// The device id sent in `auth`.
    public let deviceID: String
    /// The current phase.
    public private(set) var phase: Phase = .awaitingHello
    private var seen: Set<String> = []
    private var seenOrder: [String] = []
    private let seenLimit = 1024

    /// Creates the machine for a device.
    public init(deviceID: String) {
        self.deviceID = deviceID
    }

    /// A new connection is open: the handshake starts again; remembered requests stay remembered.
    public mutating func connectionOpened() {
        phase = .awaitingHello
    }

    /// A text frame arrived.
    public mutating func received(text: String) -> Action {
        guard let message = try? WireCoding.decoder().decode(ChannelMessage.self, from: Data(text.utf8)) else {
            if phase == .ready { return .ignore }  // a newer server's message type
            return fail("undecodable message during the handshake")
        }
        return received(message)
    }

    /// A decoded message arrived.
    public mutating func received(_ message: ChannelMessage) -> Action {
        switch (phase, message.type) {
        case (.closed, _):
            return .ignore
        case (_, .error):
            phase = .closed
            return .refused(reason: message.error ?? "refused")
        case (.awaitingHello, .hello):
            guard let nonce = message.nonce, let bytes = SignedBytes.connect(deviceID: deviceID, nonce: nonce) else {
                return fail("malformed hello")
            }
            phase = .awaitingReady
            return .authenticate(bytes: bytes)
        case (.awaitingReady, .ready):
            phase = .ready
            return .deliver(.connected)
        case (.ready, .request):
            guard let offer = message.request else { return .ignore }
            guard remember(offer.id) else { return .ignore }
            return .deliver(.request(offer))
        case (.ready, .withdrawn):
            guard let id = message.challengeId else { return .ignore }
            _ = remember(id)
            return .deliver(.withdrawn(challengeID: id, reason: message.reason))
        case (.ready, .notice):
            guard let notice = message.notice else { return .ignore }
            return .deliver(.notice(notice))
        case (.ready, _):
            return .ignore
        default:
            return fail("unexpected \(message.type.rawValue) message")
        }
    }

    private mutating func fail(_ reason: String) -> Action {
        phase = .closed
        return .reconnect(reason: reason)
    }

    /// Remembers a challenge id; `false` if it was already seen. Forgets the oldest past the limit.
    private mutating func remember(_ id: String) -> Bool {
        guard seen.insert(id).inserted else { return false }
        seenOrder.append(id)
        if seenOrder.count > seenLimit {
            seen.remove(seenOrder.removeFirst())
        }
        return true
    }
}
