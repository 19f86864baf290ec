import TandemCore

/// `GeoIPCountryDatabase` on random and damaged database files.
enum GeoIPTarget {
    /// libGeoIP's `COUNTRY_BEGIN`: the first leaf value.
    static let countryBegin = 16_776_960
    static let addresses = ["192.0.2.1", "0.0.0.0", "255.255.255.255", "128.0.0.1", "2001:db8::1", "::", "::ffff:10.0.0.1", "ffff:ffff::", "1.2.3"]

    /// A record of the trie: 3 bytes, little-endian.
    static func record(_ value: Int) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value >> 16 & 0xFF)] }

    /// A small valid database: `depth` nodes along the left edge, then countries.
    static func database(edition: UInt8, depth: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        for node in 0..<depth {
            let left = node == depth - 1 ? countryBegin + 56 : node + 1
            bytes += record(left) + record(countryBegin + 225)
        }
        return bytes + [0xFF, 0xFF, 0xFF, edition]
    }

    static let target = ClosureTarget(
        "geoip-database", "GeoIPCountryDatabase(bytes:) and country(_:) on damaged files",
        dictionary: ["\u{FF}\u{FF}\u{FF}", "\u{1}", "\u{C}", "\u{0}\u{0}\u{0}"],
        maxLength: 8192,
        seeds: []
    ) { input in
        guard let database = GeoIPCountryDatabase(bytes: input) else { return false }
        try check(database.addressBits == 32 || database.addressBits == 128, "address bits \(database.addressBits)")
        for address in addresses {
            if let code = database.country(address) {
                try check(code.utf8.count == 2 && code != "--", "country \(code.debugDescription) for \(address)")
            }
        }
        return true
    }
}

/// Seeds given as bytes (the closure target takes text seeds).
struct ByteSeeded: FuzzTarget {
    let base: ClosureTarget
    let bytes: [[UInt8]]
    var name: String { base.name }
    var summary: String { base.summary }
    var dictionary: [String] { base.dictionary }
    var maxLength: Int { base.maxLength }
    func seeds() async throws -> [[UInt8]] { bytes }
    func run(_ input: [UInt8]) async throws -> Bool { try await base.run(input) }
}

extension GeoIPTarget {
    static var all: [any FuzzTarget] {
        [ByteSeeded(base: target, bytes: [database(edition: 1, depth: 1), database(edition: 1, depth: 24), database(edition: 12, depth: 3),
                                          database(edition: 12, depth: 100), Array(database(edition: 1, depth: 8).dropLast(4)),
                                          [0xFF, 0xFF, 0xFF, 0x01, 0, 0, 0]])]
    }
}
