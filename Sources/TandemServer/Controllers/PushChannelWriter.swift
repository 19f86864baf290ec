import Foundation
import HummingbirdWebSocket
import Synchronization
import TandemCore
import TandemPush
import TandemServices

/// Where a push channel's messages are written: the WebSocket, or a recorder in tests.
protocol PushChannelSink: Sendable {
    /// Writes one message.
    func write(_ message: ChannelMessage) async throws
    /// Sends the close frame: after an error message with `refused`, else "going away".
    func close(refused: Bool) async throws
}

extension WebSocketOutboundWriter: PushChannelSink {
    func write(_ message: ChannelMessage) async throws {
        try await write(.text(Web.json(message)))
    }

    func close(refused: Bool) async throws {
        try await close(refused ? .normalClosure : .goingAway, reason: refused ? nil : "server is stopping; connect again")
    }
}

/// The outbound side of one push channel, which the hub writes to directly. Messages are written
/// in the order they were sent, by one short-lived task at a time that ends when the queue is
/// empty: an idle channel holds no task, no stream and no task stack (docs/performance.md,
/// decision 0038).
///
/// After an error message no more messages are taken, and the channel is closed normally once it
/// is written; `finish()` closes it with "going away" after what is queued. A notice counts as
/// handed out once it is written (`onNoticeWritten`).
final class PushChannelWriter<Sink: PushChannelSink>: DeviceConnection {
    private struct State {
        var queue: [ChannelMessage] = []
        /// The device the channel authenticated as.
        var deviceID: String?
        /// Whether the close frame is due after the queue (an error was sent, or `finish()`).
        var closing = false
        var refused = false
        /// The close was written or a write failed: nothing more is written.
        var ended = false
        /// The task writing the queue, if one is running.
        var drain: Task<Void, Never>?
    }

    private let sink: Sink
    private let onNoticeWritten: @Sendable (DeviceNotice, _ deviceID: String) async -> Void
    private let state = Mutex(State())

    init(sink: Sink, onNoticeWritten: @escaping @Sendable (DeviceNotice, _ deviceID: String) async -> Void) {
        self.sink = sink
        self.onNoticeWritten = onNoticeWritten
    }

    /// Queues a message; false when the channel takes no more (an error was sent, it is closing,
    /// or a write failed).
    @discardableResult
    func send(_ message: ChannelMessage) -> Bool {
        state.withLock { state in
            guard !state.closing, !state.ended else { return false }
            state.queue.append(message)
            if message.type == .error { state.closing = true; state.refused = true }
            startDrain(&state)
            return true
        }
    }

    /// Records the device the channel authenticated as, unless it was refused meanwhile (the
    /// authentication timed out); returns false then.
    func authenticated(as deviceID: String) -> Bool {
        state.withLock { state in
            guard !state.closing else { return false }
            state.deviceID = deviceID
            return true
        }
    }

    /// Sends the error unless the channel has authenticated or is closing (the deadline).
    func refuseUnlessAuthenticated(_ error: String) {
        state.withLock { state in
            guard state.deviceID == nil, !state.closing else { return }
            state.queue.append(ChannelMessage(type: .error, error: error))
            state.closing = true
            state.refused = true
            startDrain(&state)
        }
    }

    /// Closes the channel with "going away" once what is queued is written (the server is
    /// stopping, or the device left).
    func finish() {
        state.withLock { state in
            guard !state.closing else { return }
            state.closing = true
            startDrain(&state)
        }
    }

    /// Waits until nothing is being written.
    func drained() async {
        while let task = state.withLock({ $0.drain }) { await task.value }
    }

    private func startDrain(_ state: inout State) {
        guard state.drain == nil, !state.ended else { return }
        state.drain = Task { await self.drainQueue() }
    }

    private enum Step {
        case write([ChannelMessage], deviceID: String?)
        case close(refused: Bool)
        case stop
    }

    private func drainQueue() async {
        while true {
            let step: Step = state.withLock { state in
                if state.ended {
                    state.queue = []
                } else if !state.queue.isEmpty {
                    defer { state.queue = [] }
                    return .write(state.queue, deviceID: state.deviceID)
                } else if state.closing {
                    state.ended = true
                    return .close(refused: state.refused)
                }
                state.drain = nil
                return .stop
            }
            switch step {
            case .stop:
                return
            case .close(let refused):
                try? await sink.close(refused: refused)
            case .write(let messages, let deviceID):
                for message in messages {
                    do {
                        try await sink.write(message)
                    } catch {
                        state.withLock { $0.ended = true }
                        break
                    }
                    if message.type == .error { break }
                    if message.type == .notice, let notice = message.notice, let deviceID {
                        await onNoticeWritten(notice, deviceID)
                    }
                }
            }
        }
    }
}
