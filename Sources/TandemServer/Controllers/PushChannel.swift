import Foundation
import HummingbirdWebSocket
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import TandemCore
import TandemPush
import TandemServices

/// The WebSocket push channel (`docs/push-protocol.md`), one instance for all connections: a class,
/// so that each connection's long-lived task holds a reference to it and not a copy of its services.
final class PushChannel: Sendable {
    let devices: DeviceService
    let hub: PushHub
    let random: any RandomSource
    /// How long a new channel may take to authenticate before it is closed (finding 10).
    let authenticationTimeout: Duration

    init(devices: DeviceService, hub: PushHub, random: any RandomSource, authenticationTimeout: Duration) {
        self.devices = devices
        self.hub = hub
        self.random = random
        self.authenticationTimeout = authenticationTimeout
    }

    /// One channel: hello → auth → ready, then the catch-up and every new request until the
    /// device goes away. The hub writes to the channel's `PushChannelWriter` directly; this task
    /// only reads, and does its connect-time work (the signature check, the catch-up's reads) in
    /// tasks of its own: a task keeps the stack slabs it grew until it ends, and these end now,
    /// not when the phone disconnects (heaptrack, docs/performance.md, decision 0038).
    func run(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async {
        let writer = PushChannelWriter(sink: outbound) { [self] notice, deviceID in
            // A notice written to the channel counts as handed out (not again in GET notices).
            try? await self.devices.markNoticeDelivered(notice, deviceID: deviceID)
        }
        let nonce = random.identifier(byteCount: 32)
        writer.send(ChannelMessage(type: .hello, nonce: nonce))
        // The deadline is a timer on an event loop, not a sleeping task.
        let deadline = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: TimeAmount(authenticationTimeout)) {
            writer.refuseUnlessAuthenticated("authentication timed out")
        }
        var registered: (deviceID: String, token: UUID)?
        // Graceful shutdown ends the channel with "going away": the device connects again at once.
        await withGracefulShutdownHandler {
            do {
                for try await message in inbound.messages(maxSize: 64 * 1024) {
                    guard registered == nil else { continue }
                    let outcome = await Task(operation: {
                        await self.authenticateChannel(message, nonce: nonce, writer: writer, logger: logger)
                    }).value
                    registered = outcome.registered
                    if let error = outcome.error { throw error }
                    if registered == nil { break }
                }
            } catch {
                logger.debug("device channel closed", metadata: ["tandem.error": "\(type(of: error))"])
            }
        } onGracefulShutdown: {
            writer.finish()
        }
        deadline.cancel()
        if let registered {
            await hub.unregister(deviceID: registered.deviceID, token: registered.token)
            logger.info("device disconnected", metadata: ["tandem.device": "\(registered.deviceID)"])
        }
        // Ended without an error: the channel's device left, or the server is stopping and the
        // device should connect again.
        writer.finish()
        await writer.drained()
    }

    /// The channel's auth message: checks the signature over the hello's nonce, registers the
    /// channel with the hub, sends ready and the catch-up (pending requests, then notices).
    /// Returns no registration, after sending the error, when the channel is refused; an error
    /// when the catch-up failed (the channel then ends).
    private func authenticateChannel(_ message: WebSocketMessage, nonce: String, writer: PushChannelWriter<WebSocketOutboundWriter>,
                                     logger: Logger) async -> (registered: (deviceID: String, token: UUID)?, error: (any Error)?) {
        guard case .text(let text) = message,
              let auth = try? WireCoding.decoder().decode(ChannelMessage.self, from: Data(text.utf8)),
              auth.type == .auth,
              let device = try? await devices.authenticateChannel(deviceID: auth.deviceId, nonce: nonce, signature: auth.signature)
        else {
            writer.send(ChannelMessage(type: .error, error: "authentication failed"))
            return (nil, nil)
        }
        // The deadline may have refused the channel meanwhile.
        guard writer.authenticated(as: device.id) else { return (nil, nil) }
        let token = await hub.register(deviceID: device.id, connection: writer)
        logger.info("device connected", metadata: ["tandem.device": "\(device.id)"])
        writer.send(ChannelMessage(type: .ready))
        do {
            for offer in try await devices.pending(for: device) {
                writer.send(ChannelMessage(type: .request, request: offer))
            }
            for notice in try await devices.takeNotices(for: device) {
                writer.send(ChannelMessage(type: .notice, notice: notice))
            }
        } catch {
            return ((device.id, token), error)
        }
        return ((device.id, token), nil)
    }
}

