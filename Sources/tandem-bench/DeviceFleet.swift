import Foundation
import HummingbirdWSClient
import Logging
import Synchronization
import TandemCore

/// The benchmark's phones: one WebSocket push channel each (hello → auth → ready), and an inbox
/// per device where the requests it receives wait for the sign-in that expects them.
final class DeviceFleet: Sendable {
    let channelURL: String
    private let inbox = Mutex<[Int: Entry]>([:])
    let connected = Atomic<Int>(0)
    /// Requests received over the channels, by device index (`--radius` counts each phone's pushes).
    let receivedCounts = Mutex<[Int: Int]>([:])
    let dropped = Atomic<Int>(0)

    enum Entry {
        case waiting(CheckedContinuation<(ChallengeOffer, UInt64)?, Never>)
        case arrived(ChallengeOffer, UInt64)
    }

    init(serverURL: String) {
        channelURL = serverURL.replacingOccurrences(of: "http://", with: "ws://") + "/device/v1/connect"
    }

    /// Connects every device, `parallel` handshakes at a time; returns when all are ready.
    func connectAll(_ devices: [BenchDevice], parallel: Int = 200, progress: @Sendable (Int) -> Void) async throws {
        var next = 0
        while next < devices.count {
            let chunk = devices[next..<min(next + parallel, devices.count)]
            try await withThrowingTaskGroup(of: Void.self) { group in
                for device in chunk { group.addTask { try await self.connect(device) } }
                try await group.waitForAll()
            }
            next += chunk.count
            progress(next)
        }
    }

    /// Opens one device's channel in the background; returns once the server said `ready`.
    func connect(_ device: BenchDevice) async throws {
        let ready = ReadySignal()
        let logger = Logger(label: "bench.ws", factory: { _ in SwiftLogNoOpLogHandler() })
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            ready.set(continuation)
            Task {
                do {
                    try await WebSocketClient.connect(
                        url: channelURL, configuration: .init(maxFrameSize: 1 << 16, autoPing: .disabled), logger: logger
                    ) { inbound, outbound, _ in
                        let decoder = WireCoding.decoder()
                        for try await message in inbound.messages(maxSize: 1 << 16) {
                            guard case .text(let text) = message,
                                  let decoded = try? decoder.decode(ChannelMessage.self, from: Data(text.utf8)) else { continue }
                            switch decoded.type {
                            case .hello:
                                let auth = try device.channelAuth(nonce: decoded.nonce ?? "")
                                try await outbound.write(.text(String(decoding: try WireCoding.encoder().encode(auth), as: UTF8.self)))
                            case .ready:
                                self.connected.add(1, ordering: .relaxed)
                                ready.take()?.resume()
                            case .request:
                                if let offer = decoded.request { self.received(offer, device: device.index) }
                            case .error:
                                ready.take()?.resume(throwing: BenchError("channel refused: \(decoded.error ?? "?")"))
                                return
                            default:
                                continue
                            }
                        }
                    }
                } catch {
                    ready.take()?.resume(throwing: error)
                }
                self.dropped.add(1, ordering: .relaxed)
            }
        }
    }

    private func received(_ offer: ChallengeOffer, device: Int) {
        let at = DispatchTime.now().uptimeNanoseconds
        receivedCounts.withLock { $0[device, default: 0] += 1 }
        let waiter: CheckedContinuation<(ChallengeOffer, UInt64)?, Never>? = inbox.withLock { inbox in
            if case .waiting(let continuation) = inbox[device] {
                inbox[device] = nil
                return continuation
            }
            inbox[device] = .arrived(offer, at)
            return nil
        }
        waiter?.resume(returning: (offer, at))
    }

    /// Forgets whatever the device received before (a new sign-in starts).
    func reset(_ device: Int) {
        let waiter: CheckedContinuation<(ChallengeOffer, UInt64)?, Never>? = inbox.withLock { inbox in
            defer { inbox[device] = nil }
            if case .waiting(let continuation) = inbox[device] { return continuation }
            return nil
        }
        waiter?.resume(returning: nil)
    }

    /// The next request the device receives and when (uptime nanoseconds), or nil after `timeout`.
    func next(_ device: Int, timeout: Duration) async -> (ChallengeOffer, UInt64)? {
        await withTaskGroup(of: (ChallengeOffer, UInt64)?.self) { group in
            group.addTask {
                await withCheckedContinuation { continuation in
                    let ready: (ChallengeOffer, UInt64)? = self.inbox.withLock { inbox in
                        if case .arrived(let offer, let at) = inbox[device] {
                            inbox[device] = nil
                            return (offer, at)
                        }
                        inbox[device] = .waiting(continuation)
                        return nil
                    }
                    if let ready { continuation.resume(returning: ready) }
                }
            }
            group.addTask {
                // On time-out or cancellation (the offer came, or the sign-in gave up), release the waiter.
                try? await Task.sleep(for: timeout)
                self.reset(device)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            if first != nil { return first }
            return await group.next() ?? nil
        }
    }
}

/// Resumes the connect call once: on `ready`, on a refusal, or on a failure.
private final class ReadySignal: Sendable {
    private let continuation = Mutex<CheckedContinuation<Void, any Error>?>(nil)
    func set(_ value: CheckedContinuation<Void, any Error>) { continuation.withLock { $0 = value } }
    func take() -> CheckedContinuation<Void, any Error>? { continuation.withLock { $0.take() } }
}
