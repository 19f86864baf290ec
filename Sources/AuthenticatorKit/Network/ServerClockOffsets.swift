import Foundation
import Synchronization

/// What this app has learned of its servers' clocks (decision 0028): per server, the seconds to
/// add to the device's own clock to get the server's. A signed request carries the server's
/// idea of the time, so a device whose clock is off still signs requests the server accepts.
///
/// An offset is learned only from a server's `401 clockSkew` answer (its `serverTime`), and a
/// request is signed again at most once per refusal; it is kept for the life of the process.
public final class ServerClockOffsets: Sendable {
    /// The offsets of this process.
    public static let shared = ServerClockOffsets()

    private let offsets = Mutex<[String: Int64]>([:])

    public init() {}

    /// Seconds to add to the device's clock for `server` (0 until one is learned).
    public func offset(for server: URL) -> Int64 {
        offsets.withLock { $0[Self.key(server)] ?? 0 }
    }

    /// Remembers that `server`'s clock reads `serverTime` while this device's reads `localTime`.
    public func learn(serverTime: Int64, localTime: Date, for server: URL) {
        let offset = serverTime - Int64(localTime.timeIntervalSince1970.rounded(.down))
        offsets.withLock { $0[Self.key(server)] = offset }
    }

    /// Every learned offset of at least `threshold` seconds either way, by server.
    public func noticeable(threshold: Int64 = 60) -> [(server: String, offset: Int64)] {
        offsets.withLock { offsets in offsets.filter { abs($0.value) >= threshold }.map { ($0.key, $0.value) }.sorted { $0.server < $1.server } }
    }

    private static func key(_ server: URL) -> String {
        var text = server.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
