import Foundation
import NIOCore
import NIOPosix
import Synchronization
import TandemCore

/// One NAS port for `--radius`: its own UDP socket on 127.0.0.1, which sends one Access-Request,
/// retransmits the same bytes after `retryAfter` without a reply (as a NAS does), and checks
/// every reply as a client must: the Response Authenticator and the Message-Authenticator with
/// the shared secret.
struct RadiusNasPort {
    let server: SocketAddress
    let secret: [UInt8]
    let retryAfter: Duration

    struct Exchange {
        /// The first verified reply, or nil when none came before the deadline.
        var reply: RadiusPacket?
        var bytes: [UInt8]?
        /// Nanoseconds from the first send to the first reply.
        var elapsed: UInt64
        /// Copies sent after a time-out.
        var retransmissions: Int
        /// Replies to the deliberate duplicate (`.twiceAtOnce`, `.againAfterReply`): each must be `bytes`.
        var duplicateReplies: [[UInt8]]
    }

    enum Duplicate: Sendable {
        case none, twiceAtOnce, againAfterReply
    }

    func exchange(_ request: RadiusPacket, duplicate: Duplicate, deadline: ContinuousClock.Instant) async throws -> Exchange {
        let datagram = request.encoded()
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try NIOAsyncChannel<AddressedEnvelope<ByteBuffer>, AddressedEnvelope<ByteBuffer>>(wrappingChannelSynchronously: channel)
                }
            }
        let envelope = AddressedEnvelope(remoteAddress: server, data: ByteBuffer(bytes: datagram))
        let secret = secret
        let retryAfter = retryAfter
        let timeouts = Retransmissions()
        return try await channel.executeThenClose { inbound, outbound in
            let started = DispatchTime.now().uptimeNanoseconds
            try await outbound.write(envelope)
            if duplicate == .twiceAtOnce { try await outbound.write(envelope) }
            let wanted = duplicate == .none ? 1 : 2
            return try await withThrowingTaskGroup(of: Exchange?.self) { group in
                group.addTask {
                    var result = Exchange(reply: nil, bytes: nil, elapsed: 0, retransmissions: 0, duplicateReplies: [])
                    var received = 0
                    for try await answer in inbound {
                        let bytes = Array(answer.data.readableBytesView)
                        guard let reply = try? RadiusPacket.decode(bytes), Self.verify(reply, request: request, secret: secret) else {
                            throw BenchError("a RADIUS reply that does not verify")
                        }
                        received += 1
                        if result.reply == nil {
                            result.reply = reply
                            result.bytes = bytes
                            result.elapsed = DispatchTime.now().uptimeNanoseconds &- started
                            if duplicate == .againAfterReply { try await outbound.write(envelope) }
                        } else {
                            result.duplicateReplies.append(bytes)
                        }
                        if received >= wanted { return result }
                    }
                    return result
                }
                group.addTask {
                    // The NAS's timer: the same bytes again after each time-out, until the deadline.
                    while ContinuousClock.now < deadline {
                        try await Task.sleep(for: retryAfter)
                        try await outbound.write(envelope)
                        timeouts.count.add(1, ordering: .relaxed)
                    }
                    return nil
                }
                var first = (try await group.next() ?? nil) ?? Exchange(reply: nil, bytes: nil, elapsed: 0, retransmissions: 0, duplicateReplies: [])
                group.cancelAll()
                first.retransmissions = timeouts.count.load(ordering: .relaxed)
                return first
            }
        }
    }

    /// A reply's Response Authenticator and Message-Authenticator (required: the Blast-RADIUS
    /// advice), both keyed with the request's authenticator.
    static func verify(_ reply: RadiusPacket, request: RadiusPacket, secret: [UInt8]) -> Bool {
        guard reply.identifier == request.identifier,
              reply.hasValidResponseAuthenticator(requestAuthenticator: request.authenticator, secret: secret) else { return false }
        var keyed = reply
        keyed.authenticator = request.authenticator
        return keyed.hasValidMessageAuthenticator(secret: secret)
    }
}

private final class Retransmissions: Sendable {
    let count = Atomic<Int>(0)
}
