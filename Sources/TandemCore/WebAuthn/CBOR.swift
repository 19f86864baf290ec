/// A CBOR data item (RFC 8949), the subset WebAuthn uses: integers, byte and text strings, arrays,
/// maps, booleans, null/undefined and floats (kept only to be skipped). Tags are refused.
public indirect enum CBOR: Sendable, Equatable {
    case unsigned(UInt64)
    /// A negative integer `-1 - n`, stored as `n`.
    case negative(UInt64)
    case bytes([UInt8])
    case text(String)
    case array([CBOR])
    /// A map, in the order it was written (keys are unique).
    case map([(key: CBOR, value: CBOR)])
    case bool(Bool)
    case null
    case undefined
    /// A half, single or double float's raw bits (WebAuthn never needs its value).
    case float(UInt64)

    /// The value as an `Int`, when it is an integer that fits.
    public var int: Int? {
        switch self {
        case .unsigned(let n): return n <= UInt64(Int.max) ? Int(n) : nil
        case .negative(let n): return n < UInt64(Int.max) ? -1 - Int(n) : nil
        default: return nil
        }
    }

    /// The value of `key` in a map (`nil` for a missing key or a value that is not a map).
    public subscript(key: CBOR) -> CBOR? {
        guard case .map(let entries) = self else { return nil }
        return entries.first { $0.key == key }?.value
    }

    /// The value of an integer key (COSE labels).
    public subscript(int key: Int) -> CBOR? {
        self[key >= 0 ? .unsigned(UInt64(key)) : .negative(UInt64(-1 - key))]
    }

    /// The value of a text key.
    public subscript(text key: String) -> CBOR? { self[.text(key)] }

    public static func == (lhs: CBOR, rhs: CBOR) -> Bool {
        switch (lhs, rhs) {
        case (.unsigned(let a), .unsigned(let b)), (.negative(let a), .negative(let b)), (.float(let a), .float(let b)): return a == b
        case (.bytes(let a), .bytes(let b)): return a == b
        case (.text(let a), .text(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.map(let a), .map(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        case (.bool(let a), .bool(let b)): return a == b
        case (.null, .null), (.undefined, .undefined): return true
        default: return false
        }
    }
}

extension CBOR {
    /// Decodes exactly one data item that fills all of `bytes`.
    public static func decode(_ bytes: [UInt8]) throws(TandemError) -> CBOR {
        var reader = CBORReader(bytes: bytes[...])
        let item = try reader.item(depth: 0)
        guard reader.bytes.isEmpty else { throw CBORReader.malformed("trailing bytes after the CBOR item") }
        return item
    }

    /// Decodes one data item at the start of `bytes`; returns it and how many bytes it took.
    public static func decodePrefix(_ bytes: ArraySlice<UInt8>) throws(TandemError) -> (item: CBOR, length: Int) {
        var reader = CBORReader(bytes: bytes)
        let item = try reader.item(depth: 0)
        return (item, bytes.count - reader.bytes.count)
    }
}

/// A bounded, non-trapping CBOR reader: definite lengths only, depth at most 16, at most 4096
/// array elements and 64 map entries, every length checked against the bytes that remain.
struct CBORReader {
    var bytes: ArraySlice<UInt8>

    static let maxDepth = 16
    static let maxElements = 4096
    /// WebAuthn's maps have a handful of entries; the bound keeps the duplicate-key check cheap.
    static let maxMapEntries = 64

    static func malformed(_ reason: String) -> TandemError { TandemError(.badRequest, "malformed CBOR: \(reason)") }

    mutating func take(_ count: Int) throws(TandemError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.count else { throw Self.malformed("a length runs past the end") }
        let start = bytes.startIndex
        let part = bytes[start..<start + count]
        bytes = bytes[(start + count)...]
        return part
    }

    mutating func argument(_ info: UInt8) throws(TandemError) -> UInt64 {
        switch info {
        case 0..<24: return UInt64(info)
        case 24, 25, 26, 27:
            let width = 1 << Int(info - 24)
            let part = try take(width)
            let value = part.reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            return value
        default: throw Self.malformed("indefinite or reserved length")
        }
    }

    mutating func count(_ info: UInt8) throws(TandemError) -> Int {
        let n = try argument(info)
        // Every element or byte takes at least one byte, so no honest count exceeds what remains.
        guard n <= UInt64(bytes.count) else { throw Self.malformed("a length runs past the end") }
        return Int(n)
    }

    mutating func item(depth: Int) throws(TandemError) -> CBOR {
        guard depth <= Self.maxDepth else { throw Self.malformed("nested too deeply") }
        guard let initial = try take(1).first else { throw Self.malformed("empty input") }
        let major = initial >> 5
        let info = initial & 0x1F
        switch major {
        case 0: return .unsigned(try argument(info))
        case 1: return .negative(try argument(info))
        case 2: return .bytes(Array(try take(try count(info))))
        case 3:
            let raw = try take(try count(info))
            guard let text = String(validating: raw, as: UTF8.self) else { throw Self.malformed("text is not UTF-8") }
            return .text(text)
        case 4:
            let n = try count(info)
            guard n <= Self.maxElements else { throw Self.malformed("too many elements") }
            var items: [CBOR] = []
            for _ in 0..<n { items.append(try item(depth: depth + 1)) }
            return .array(items)
        case 5:
            let n = try count(info)
            guard n <= Self.maxMapEntries else { throw Self.malformed("too many map entries") }
            var entries: [(key: CBOR, value: CBOR)] = []
            for _ in 0..<n {
                let key = try item(depth: depth + 1)
                let value = try item(depth: depth + 1)
                guard !entries.contains(where: { $0.key == key }) else { throw Self.malformed("duplicate map key") }
                entries.append((key, value))
            }
            return .map(entries)
        case 6: throw Self.malformed("tags are not accepted")
        default:
            switch info {
            case 20: return .bool(false)
            case 21: return .bool(true)
            case 22: return .null
            case 23: return .undefined
            case 25, 26, 27: return .float(try argument(info))
            default: throw Self.malformed("unsupported simple value")
            }
        }
    }
}
