import Foundation
import Logging
import Synchronization

/// `tandem serve --log-format json`: one JSON object per line, for log shippers (journald,
/// Loki, Elasticsearch): `timestamp` (ISO 8601, UTC, milliseconds), `level`, `label`, `message`,
/// `source`, then every metadata key at the top level under its own (namespaced) name, e.g.
/// `"tandem.user": "…"`. A metadata key that clashes with one of those five is written as
/// `metadata.<key>`. Secrets never reach the log (the services log ids, never codes, numbers or
/// passwords), so the handler does not filter.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    let label: String
    let write: @Sendable (String) -> Void

    /// Lines go to `write` (standard output by default, one `write(2)` per line so lines from
    /// several threads never interleave).
    public init(label: String, metadataProvider: Logger.MetadataProvider? = nil, write: (@Sendable (String) -> Void)? = nil) {
        self.label = label
        self.metadataProvider = metadataProvider
        self.write = write ?? { line in FileHandle.standardOutput.write(Data(line.utf8)) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    static let reserved: Set<String> = ["timestamp", "level", "label", "message", "source"]

    public func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String,
                    file: String, function: String, line: UInt) {
        var merged = self.metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit { merged.merge(explicit) { _, new in new } }
        var object: [String: Any] = ["timestamp": Self.timestamp(Date()), "level": level.rawValue, "label": label,
                                     "message": message.description, "source": source]
        for (key, value) in merged {
            object[Self.reserved.contains(key) ? "metadata.\(key)" : key] = Self.json(value)
        }
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) else { return }
        write(String(decoding: data, as: UTF8.self) + "\n")
    }

    static func json(_ value: Logger.Metadata.Value) -> Any {
        switch value {
        case .string(let text): return text
        case .stringConvertible(let convertible): return convertible.description
        case .array(let values): return values.map(json)
        case .dictionary(let values): return values.mapValues(json)
        }
    }

    /// `2026-12-02T10:42:08.416Z`, formatted with `gmtime_r` (no formatter object per line, and
    /// none shared between threads).
    public static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(millis % 1000), 3))Z"
    }
}
