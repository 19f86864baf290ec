import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import TandemCore

/// Keeps the push channel (`GET /device/v1/connect`, a WebSocket) open for one device and turns
/// it into a stream of `PushEvent`s.
///
/// On every (re)connect the server sends all pending requests after `ready`, so no separate
/// `GET pending` is needed; requests are delivered once per challenge id. A dropped connection
/// is reopened with `ReconnectBackoff`; a refusal by the server (`error` message) ends the stream
/// with `.channelRefused`.
public struct PushListener: Sendable {
    /// `ws(s)://…/device/v1/connect`.
    public let channelURL: String
    /// The device id sent in `auth`.
    public let deviceID: String
    /// The reconnect policy.
    public let backoff: ReconnectBackoff
    private let sign: DeviceSigner
    private let logger: Logger

    /// Creates a listener; `sign` signs with the device key (no PIN).
    public init(channelURL: String, deviceID: String, backoff: ReconnectBackoff = .init(), logger: Logger? = nil,
                sign: @escaping DeviceSigner) {
        self.channelURL = channelURL
        self.deviceID = deviceID
        self.backoff = backoff
        self.sign = sign
        self.logger = logger ?? Logger(label: "tandem.authenticator.push", factory: { _ in SwiftLogNoOpLogHandler() })
    }

    /// Connects and yields events until the consumer stops iterating (which cancels the listener)
    /// or the server refuses the device.
    public func events() -> AsyncThrowingStream<PushEvent, any Error> {
        AsyncThrowingStream { continuation in
            let task = Task { await run(continuation) }
            continuation.onTermination = { _ in task.cancel() }
        }
    }

    private final class Connection: Sendable {
        struct State: Sendable {
            var machine: PushChannelStateMachine
            var refusal: String?
            var reachedReady = false
        }
        let state: Mutex<State>
        init(deviceID: String) { state = Mutex(State(machine: PushChannelStateMachine(deviceID: deviceID))) }
    }

    private func run(_ continuation: AsyncThrowingStream<PushEvent, any Error>.Continuation) async {
        let connection = Connection(deviceID: deviceID)
        var attempt = 0
        while !Task.isCancelled {
            connection.state.withLock {
                $0.machine.connectionOpened()
                $0.reachedReady = false
            }
            do {
                try await WebSocketClient.connect(
                    url: channelURL,
                    configuration: .init(maxFrameSize: 1 << 16, autoPing: .enabled(timePeriod: .seconds(20))),
                    logger: logger
                ) { inbound, outbound, _ in
                    try await handle(inbound, outbound, connection, continuation)
                }
            } catch {
                logger.debug("push channel closed", metadata: ["tandem.error": "\(error)"])
            }
            if Task.isCancelled { break }
            let (refusal, reachedReady) = connection.state.withLock { ($0.refusal, $0.reachedReady) }
            if let refusal {
                continuation.finish(throwing: AuthenticatorError(.channelRefused, "the server refused the push channel: \(refusal)"))
                return
            }
            if reachedReady { attempt = 0 }
            let delay = backoff.delay(attempt: attempt, jitter: Double.random(in: 0...1))
            attempt += 1
            continuation.yield(.reconnecting(delay: delay))
            do {
                try await Task.sleep(for: delay)
            } catch {
                break
            }
        }
        continuation.finish()
    }

    private func handle(_ inbound: WebSocketInboundStream, _ outbound: WebSocketOutboundWriter, _ connection: Connection,
                        _ continuation: AsyncThrowingStream<PushEvent, any Error>.Continuation) async throws {
        for try await message in inbound.messages(maxSize: 1 << 16) {
            guard case .text(let text) = message else { continue }
            let action = connection.state.withLock { $0.machine.received(text: text) }
            switch action {
            case .authenticate(let bytes):
                let auth = ChannelMessage(type: .auth, deviceId: deviceID, signature: try sign(bytes))
                try await outbound.write(.text(String(decoding: try WireCoding.encoder().encode(auth), as: UTF8.self)))
            case .deliver(let event):
                if event == .connected { connection.state.withLock { $0.reachedReady = true } }
                continuation.yield(event)
            case .ignore:
                continue
            case .reconnect(let reason):
                logger.debug("push channel protocol error", metadata: ["tandem.reason": "\(reason)"])
                try? await outbound.close(.protocolError, reason: nil)
                return
            case .refused(let reason):
                connection.state.withLock { $0.refusal = reason }
                try? await outbound.close(.normalClosure, reason: nil)
                return
            }
        }
    }
}
