import TandemCore
import Testing

/// The hand-written CBOR decoder: RFC 8949 appendix A examples, and malformed input refused without a trap.
@Suite("CBOR decoder")
struct CBORTests {
    static func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var chars = text[...]
        while chars.count >= 2 { bytes.append(UInt8(chars.prefix(2), radix: 16)!); chars = chars.dropFirst(2) }
        return bytes
    }

    @Test("RFC 8949 appendix A examples decode", arguments: [
        ("00", CBOR.unsigned(0)), ("17", .unsigned(23)), ("1818", .unsigned(24)), ("1903e8", .unsigned(1000)),
        ("1bffffffffffffffff", .unsigned(UInt64.max)), ("20", .negative(0)), ("3863", .negative(99)),
        ("40", .bytes([])), ("4401020304", .bytes([1, 2, 3, 4])), ("6449455446", .text("IETF")),
        ("62c3bc", .text("ü")), ("83010203", .array([.unsigned(1), .unsigned(2), .unsigned(3)])),
        ("a201020304", .map([(.unsigned(1), .unsigned(2)), (.unsigned(3), .unsigned(4))])),
        ("f4", .bool(false)), ("f5", .bool(true)), ("f6", .null), ("f7", .undefined), ("f93c00", .float(0x3C00)),
    ])
    func examples(_ input: String, _ expected: CBOR) throws {
        #expect(try CBOR.decode(Self.hex(input)) == expected)
    }

    @Test("negative integers read as Int", arguments: [("20", -1), ("3863", -100), ("3903e7", -1000)])
    func negatives(_ input: String, _ expected: Int) throws {
        #expect(try CBOR.decode(Self.hex(input)).int == expected)
    }

    @Test("malformed CBOR is refused with a 400-class error", arguments: [
        "",                      // nothing
        "18",                    // argument missing
        "1b00000000",            // 8-byte argument cut short
        "44010203",              // byte string shorter than its length
        "5bffffffffffffffff00",  // absurd length
        "9bffffffffffffffff",    // absurd array count
        "5f",                    // indefinite length
        "62c328",                // invalid UTF-8
        "c074",                  // a tag
        "a20102",                // map with a missing entry
        "a201020103",            // duplicate map key
        "0000",                  // trailing bytes
        "fc",                    // reserved simple value
        String(repeating: "81", count: 40) + "00",  // nested too deeply
    ])
    func malformed(_ input: String) {
        #expect(throws: TandemError.self) { try CBOR.decode(Self.hex(input)) }
    }

    @Test("decodePrefix reports how many bytes the first item took")
    func prefix() throws {
        let (item, length) = try CBOR.decodePrefix(Self.hex("a1616101ff")[...])
        #expect(item[text: "a"] == .unsigned(1))
        #expect(length == 4)
    }
}
