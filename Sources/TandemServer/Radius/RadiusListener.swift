import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The RADIUS server's socket (`tandem serve --radius-port`): one UDP channel on SwiftNIO; each
/// datagram is answered in its own task (a slow one never holds back the others), the reply sent
/// to the address it came from. Stops with the application.
struct RadiusListener: Service {
    let host: String
    let port: Int
    let gate: RadiusGate
    let logger: Logger
    let onBound: @Sendable (Int) async -> Void

    func run() async throws {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
        let bound = channel.channel.localAddress?.port ?? port
        logger.info("RADIUS server listening", metadata: ["tandem.radius.address": "\(host)", "tandem.radius.port": "\(bound)"])
        await onBound(bound)
        try await withGracefulShutdownHandler {
            try await channel.executeThenClose { inbound, outbound in
                try await withThrowingDiscardingTaskGroup { group in
                    for try await envelope in inbound {
                        guard let ip = envelope.remoteAddress.ipAddress else { continue }
                        let datagram = Array(envelope.data.readableBytesView)
                        group.addTask {
                            guard let reply = await gate.answer(datagram, from: ip) else { return }
                            try? await outbound.write(AddressedEnvelope(remoteAddress: envelope.remoteAddress, data: ByteBuffer(bytes: reply)))
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            channel.channel.close(promise: nil)
        }
    }
}
