import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import Synchronization
import TandemCore

/// Slow and silent clients (issue 10, finding 10): a cap on the connections one address holds
/// open, and a deadline for the first request head. After the head, Hummingbird's idle timeout
/// (between requests) and the push channel's authentication deadline (`DeviceController`) take over.
public struct ConnectionLimits: Sendable {
    /// Connections one IP address may hold open at once; the next is closed as soon as it is accepted.
    public var perAddress: Int = 256
    /// Seconds a new connection has to send its first complete request head.
    public var headerTimeout: Double = 10
    /// Seconds a keep-alive connection may sit idle between requests.
    public var idleTimeout: Double = 30

    public init(perAddress: Int = 256, headerTimeout: Double = 10, idleTimeout: Double = 30) {
        self.perAddress = perAddress
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
    }

    /// A one-line message for the first value out of range, or `nil`.
    public func validate() -> String? {
        if !(1...100_000).contains(perAddress) { return "--max-connections-per-address must be between 1 and 100000" }
        if !(1...300).contains(headerTimeout) { return "--header-timeout must be between 1 and 300 seconds" }
        if !(1...3600).contains(idleTimeout) { return "--idle-timeout must be between 1 and 3600 seconds" }
        return nil
    }
}

/// Open connections per address, shared by every child channel of one server.
final class ConnectionCounter: Sendable {
    private struct State {
        var open: [String: Int] = [:]
        /// Addresses refused since they last had no connection open: logged once, not per attempt.
        var refused: Set<String> = []
    }

    enum Verdict { case admitted, refused(firstTime: Bool) }

    private let state = Mutex(State())
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Counts a new connection from `address`, or refuses it (counting nothing) when it is over the cap.
    func admit(_ address: String) -> Verdict {
        state.withLock { state in
            let open = state.open[address, default: 0]
            guard open < limit else { return .refused(firstTime: state.refused.insert(address).inserted) }
            state.open[address] = open + 1
            return .admitted
        }
    }

    func release(_ address: String) {
        state.withLock { state in
            let open = state.open[address, default: 1] - 1
            state.open[address] = open > 0 ? open : nil
            if open <= 0 { state.refused.remove(address) }
        }
    }
}

/// Wraps the HTTP/WebSocket child channel: refuses an address over its cap and closes a
/// connection that has not sent a complete request head in time.
struct GuardedServerChannel<Inner: ServerChildChannel>: ServerChildChannel {
    typealias Value = Inner.Value
    let inner: Inner
    let counter: ConnectionCounter
    let headerTimeout: TimeAmount
    /// Peers exempt from the per-address cap: every client behind a reverse proxy shares its address.
    var proxies = TrustedProxies([])
    /// TLS on this listener, when `--tls-certificate` is given.
    var tls: TLSCredentials? = nil

    struct Refused: Error {}

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let address = channel.remoteAddress?.ipAddress ?? "unknown"
        if !proxies.isTrusted(address), case .refused(let firstTime) = counter.admit(address) {
            if firstTime {
                logger.notice("connections refused: too many open from one address",
                              metadata: ["tandem.peer": "\(address)", "tandem.limit": "\(counter.limit)"])
            }
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(Refused())
        }
        if !proxies.isTrusted(address) {
            let counter = counter
            channel.closeFuture.whenComplete { _ in counter.release(address) }
        }
        do {
            // TLS first, so the deadline sees the decrypted head (a stalled handshake runs into it too).
            if let tls { try channel.pipeline.syncOperations.addHandler(tls.handler()) }
            try channel.pipeline.syncOperations.addHandler(RequestHeadDeadlineHandler(timeout: headerTimeout))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }
}

/// Closes the connection unless the end of the first request head (`CRLF CRLF`) arrives before
/// the deadline; then it only passes bytes on.
final class RequestHeadDeadlineHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let timeout: TimeAmount
    private var deadline: Scheduled<Void>?
    private var headSeen = false
    /// How many bytes of `\r\n\r\n` the previous read ended with.
    private var matched = 0

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if !headSeen {
            let buffer = unwrapInboundIn(data)
            let terminator: [UInt8] = [13, 10, 13, 10]
            buffer.withUnsafeReadableBytes { bytes in
                for byte in bytes where !headSeen {
                    if byte == terminator[matched] {
                        matched += 1
                        if matched == terminator.count { headSeen = true }
                    } else {
                        matched = byte == terminator[0] ? 1 : 0
                    }
                }
            }
            if headSeen {
                deadline?.cancel()
                deadline = nil
            }
        }
        context.fireChannelRead(data)
    }

    private func arm(_ context: ChannelHandlerContext) {
        guard deadline == nil, !headSeen else { return }
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}
