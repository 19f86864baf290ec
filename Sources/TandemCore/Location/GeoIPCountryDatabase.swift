/// A reader for the legacy GeoIP country databases (`GeoIP.dat`, `GeoIPv6.dat`) that Debian's
/// `geoip-database` package installs: a binary trie of 3-byte records over the address bits, whose
/// leaves are indexes into a fixed country-code table. Pure: it works on the file's bytes.
public struct GeoIPCountryDatabase: Sendable {
    /// The first leaf value of a country edition (libGeoIP's `COUNTRY_BEGIN`).
    static let countryBegin = 16_776_960
    let bytes: [UInt8]
    /// 32 for IPv4, 128 for IPv6.
    public let addressBits: Int

    /// Reads a country database; `nil` when the bytes are not one (wrong edition or too short).
    public init?(bytes: [UInt8]) {
        guard bytes.count > 6 else { return nil }
        // The structure info is at the end: 0xFF 0xFF 0xFF then the edition byte.
        var edition: UInt8?
        var index = bytes.count - 3
        var tries = 0
        while index >= 0, tries < 20 {
            if bytes[index] == 0xFF, bytes[index + 1] == 0xFF, bytes[index + 2] == 0xFF, index + 3 < bytes.count {
                edition = bytes[index + 3]
                break
            }
            index -= 1
            tries += 1
        }
        switch edition {
        case 1?, nil: addressBits = 32   // GEOIP_COUNTRY_EDITION (a file without structure info is one too)
        case 12?: addressBits = 128      // GEOIP_COUNTRY_EDITION_V6
        default: return nil
        }
        self.bytes = bytes
    }

    /// The ISO 3166 code for an address of this database's family, or `nil` (unknown, reserved, malformed).
    public func country(_ ip: String) -> String? {
        guard let address = CIDR.parseAddress(ip) else { return nil }
        let key: [UInt8]
        if addressBits == 32 {
            guard address.count == 4 else { return nil }
            key = address
        } else {
            // IPv4 addresses are looked up in the v6 database as IPv4-mapped (::ffff:a.b.c.d) when asked.
            key = address.count == 16 ? address : [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + address
        }
        var offset = 0
        for depth in stride(from: addressBits - 1, through: 0, by: -1) {
            let base = offset * 6
            guard base + 6 <= bytes.count else { return nil }
            let bit = (key[(addressBits - 1 - depth) / 8] >> UInt8(depth % 8)) & 1
            let record = base + (bit == 1 ? 3 : 0)
            let value = Int(bytes[record]) | Int(bytes[record + 1]) << 8 | Int(bytes[record + 2]) << 16
            if value >= Self.countryBegin {
                let index = value - Self.countryBegin
                guard index > 0, index < Self.codes.count else { return nil }
                let code = Self.codes[index]
                return code == "--" ? nil : code
            }
            offset = value
        }
        return nil
    }

    /// libGeoIP's country code table, in its (historical, not alphabetical) order: the leaf value
    /// is the index. Checked against `geoiplookup` in the tests.
    static let codes: [String] = [
        "--", "AP", "EU", "AD", "AE", "AF", "AG", "AI", "AL", "AM", "CW", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AZ", "BA",
        "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BM", "BN", "BO", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC",
        "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM",
        "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "SX", "GA", "GB", "GD", "GE",
        "GF", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM", "HN", "HR", "HT", "HU",
        "ID", "IE", "IL", "IN", "IO", "IQ", "IR", "IS", "IT", "JM", "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR",
        "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "MG", "MH", "MK",
        "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG",
        "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT",
        "PW", "PY", "QA", "RE", "RO", "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN",
        "SO", "SR", "ST", "SV", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TM", "TN", "TO", "TL", "TR", "TT", "TV",
        "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "RS",
        "ZA", "ZM", "ME", "ZW", "A1", "A2", "O1", "AX", "GG", "IM", "JE", "BL", "MF", "BQ", "SS", "O1",
    ]
}
