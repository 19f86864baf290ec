import Logging
import Synchronization

/// Captures every log line (message and metadata) at every level.
public final class CapturingLog: Sendable {
    public init() {}

    public let lines = Mutex<[String]>([])

    /// A logger at `trace` that records into this log.
    public var logger: Logger {
        var logger = Logger(label: "capture") { _ in Handler(log: self) }
        logger.logLevel = .trace
        return logger
    }

    /// Every line so far, one per line.
    public var text: String { lines.withLock { $0.joined(separator: "\n") } }

    struct Handler: LogHandler {
        let log: CapturingLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }
            log.lines.withLock { $0.append("\(level) \(message) \(all)") }
        }
    }
}
