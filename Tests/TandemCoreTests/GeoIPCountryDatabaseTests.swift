import Foundation
import TandemCore
import Testing

/// Checks the reader against libGeoIP's own `geoiplookup` on Debian's database. Locally the test
/// says so and passes when the packages are missing; in CI (`CI=true`) their absence fails it.
@Suite("GeoIP country database")
struct GeoIPCountryDatabaseTests {
    static let directory = "/usr/share/GeoIP"

    static func available() -> Bool {
        FileManager.default.fileExists(atPath: "\(directory)/GeoIP.dat") && FileManager.default.isExecutableFile(atPath: "/usr/bin/geoiplookup")
    }

    static func lookup(_ tool: String, _ ip: String) throws -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/\(tool)")
        process.arguments = [ip]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        // "GeoIP Country Edition: US, United States" or "... IP Address not found"
        guard let range = output.range(of: ": "), !output.contains("not found") else { return nil }
        return String(output[range.upperBound...].prefix(2))
    }

    @Test("Countries match geoiplookup for many IPv4 and IPv6 addresses")
    func matchesGeoiplookup() throws {
        guard Self.available() else {
            #expect(ProcessInfo.processInfo.environment["CI"] != "true", "CI must install geoip-database and geoip-bin")
            print("GeoIP check skipped locally: install geoip-database and geoip-bin")
            return
        }
        let v4 = try #require(GeoIPCountryDatabase(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/GeoIP.dat")))))
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 16 }
        var compared = 0, known = 0
        for _ in 0..<120 {
            let ip = (0..<4).map { _ in String(next() % 256) }.joined(separator: ".")
            let expected = try Self.lookup("geoiplookup", ip)
            #expect(v4.country(ip) == expected, "\(ip)")
            compared += 1
            if expected != nil { known += 1 }
        }
        #expect(known > 30, "the sample must hit real countries")
        for (ip, code) in [("8.8.8.8", "US"), ("81.2.69.160", "GB")] {
            #expect(v4.country(ip) == code)
        }
        if let data = try? Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/GeoIPv6.dat")), let v6 = GeoIPCountryDatabase(bytes: [UInt8](data)) {
            #expect(v6.addressBits == 128)
            for ip in ["2001:4860:4860::8888", "2a00:1450:4001:80b::200e", "2001:db8::1", "2400:cb00:2048:1::c629:d7a2"] {
                #expect(v6.country(ip) == (try Self.lookup("geoiplookup6", ip)), "\(ip)")
            }
        }
        print("GeoIP: \(compared) IPv4 addresses compared with geoiplookup, \(known) in a country")
    }

    @Test("Garbage is refused or answers nothing, never traps")
    func garbage() {
        #expect(GeoIPCountryDatabase(bytes: []) == nil)
        let junk = GeoIPCountryDatabase(bytes: [UInt8](repeating: 0x41, count: 64))
        #expect(junk?.country("1.2.3.4") == nil)
        #expect(junk?.country("not an ip") == nil)
    }
}
