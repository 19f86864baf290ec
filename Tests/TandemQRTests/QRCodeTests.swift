@testable import TandemQR
import Testing

@Suite("QR code encoder")
struct QRCodeTests {
    @Test("Reed–Solomon matches the version 1-M example of the standard's tutorial (HELLO WORLD)")
    func reedSolomonVector() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        let ec = ReedSolomon.remainder(data, generator: ReedSolomon.generator(degree: 10))
        #expect(ec == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test("Format information matches ISO/IEC 18004 table C.1", arguments: [
        (QRErrorCorrection.low, 0, 0b111011111000100), (.low, 7, 0b110100101110110),
        (.medium, 0, 0b101010000010010), (.medium, 5, 0b100000011001110),
        (.quartile, 0, 0b011010101011111), (.high, 0, 0b001011010001001), (.high, 7, 0b000100000111011),
    ])
    func formatBits(level: QRErrorCorrection, mask: Int, expected: Int) {
        #expect(QRMatrix.formatBits(level: level, mask: mask) == expected)
    }

    @Test("Version information matches ISO/IEC 18004 table D.1", arguments: [
        (7, 0x07C94), (8, 0x085BC), (9, 0x09A99), (10, 0x0A4D3),
    ])
    func versionBits(version: Int, expected: Int) {
        #expect(QRMatrix.versionBits(version) == expected)
    }

    @Test("Every version's blocks add up to its codewords", arguments: QRVersion.supported)
    func blockTable(number: Int) {
        let version = QRVersion(number: number)
        for level in QRErrorCorrection.allCases {
            let blocks = version.blocks(level)
            #expect(blocks.dataCodewords + blocks.ecCodewordsPerBlock * blocks.blockCount == QRVersion.totalCodewords[number - 1])
        }
    }

    @Test("Byte-mode capacities match ISO/IEC 18004 table 7", arguments: [
        (QRErrorCorrection.low, [17, 32, 53, 78, 106, 134, 154, 192, 230, 271]),
        (.medium, [14, 26, 42, 62, 84, 106, 122, 152, 180, 213]),
        (.quartile, [11, 20, 32, 46, 60, 74, 86, 108, 130, 151]),
        (.high, [7, 14, 24, 34, 44, 58, 64, 84, 98, 119]),
    ])
    func capacities(level: QRErrorCorrection, expected: [Int]) {
        #expect(QRVersion.supported.map { QRCode.byteCapacity(version: $0, errorCorrection: level)! } == expected)
    }

    @Test("The smallest version that holds the data is chosen", arguments: QRVersion.supported)
    func smallestVersion(number: Int) throws {
        for level in [QRErrorCorrection.low, .medium] {
            let capacity = QRCode.byteCapacity(version: number, errorCorrection: level)!
            let full = try QRCode(encoding: [UInt8](repeating: 0x61, count: capacity), errorCorrection: level)
            #expect(full.version == number)
            #expect(full.size == number * 4 + 17)
            if number < QRCode.maximumVersion {
                let over = try QRCode(encoding: [UInt8](repeating: 0x61, count: capacity + 1), errorCorrection: level)
                #expect(over.version == number + 1)
            }
        }
    }

    @Test("Data longer than version 10 holds is refused")
    func tooLong() {
        #expect(throws: QRError(.dataTooLong, "")) { try QRCode(encoding: [UInt8](repeating: 0x61, count: 214), errorCorrection: .medium) }
        #expect(throws: QRError(.dataTooLong, "")) { try QRCode(encoding: [UInt8](repeating: 0x61, count: 272), errorCorrection: .low) }
    }

    @Test("A version or mask out of range is refused")
    func outOfRange() {
        #expect(throws: QRError(.invalidVersion, "")) { try QRCode(encoding: [1], minimumVersion: 11) }
        #expect(throws: QRError(.invalidVersion, "")) { try QRCode(encoding: [1], minimumVersion: 0) }
        #expect(throws: QRError(.invalidMask, "")) { try QRCode(encoding: [1], mask: 8) }
    }

    @Test("Finder, timing and dark module are where the standard puts them", arguments: [1, 7, 10])
    func functionPatterns(version: Int) throws {
        let code = try QRCode(encoding: Array("x".utf8), minimumVersion: version)
        let n = code.size
        for (row, column) in [(0, 0), (0, n - 7), (n - 7, 0)] {
            for d in 0..<7 {
                #expect(code.isDark(row: row, column: column + d))  // top edge of the finder
                #expect(code.isDark(row: row + 6, column: column + d))  // bottom edge
            }
            #expect(!code.isDark(row: row + 1, column: column + 1))
            #expect(code.isDark(row: row + 3, column: column + 3))  // centre
        }
        for i in 8..<(n - 8) {
            #expect(code.isDark(row: 6, column: i) == (i % 2 == 0))
            #expect(code.isDark(row: i, column: 6) == (i % 2 == 0))
        }
        #expect(code.isDark(row: n - 8, column: 8))
        #expect(!code.isDark(row: -1, column: 0) && !code.isDark(row: 0, column: n))
    }

    @Test("The chosen mask has the lowest penalty of the eight")
    func lowestPenalty() throws {
        let text = Array("http://127.0.0.1:8080/device/v1/activate?code=ABCDEFGHJKLMNPQRSTUVWXYZ234567".utf8)
        let chosen = try QRCode(encoding: text)
        let penalties = try (0...7).map { mask in try QRCode(encoding: text, mask: mask) }.map(Self.penalty)
        #expect(Self.penalty(chosen) == penalties.min())
        #expect(penalties[chosen.mask] == penalties.min())
    }

    @Test("Penalty rule 1 counts runs of five or more, rule 3 the finder-like pattern")
    func penaltyRules() {
        #expect(QRMask.runPenalty([true, true, true, true, false]) == 0)
        #expect(QRMask.runPenalty([true, true, true, true, true, false]) == 3)
        #expect(QRMask.runPenalty([false, false, false, false, false, false, false]) == 5)
        #expect(QRMask.finderPenalty([true, false, true, true, true, false, true]) == 40)
        #expect(QRMask.finderPenalty([true, true, false, true, true, true, false, true, true]) == 0)
        #expect(QRMask.finderPenalty([true, false, true, true, true, false, true, false, false, false, false, true]) == 40)
    }

    @Test("The SVG has a quiet zone of four modules, one path and an escaped label")
    func svg() throws {
        let code = try QRCode(encoding: "hello")
        let svg = code.svg(moduleSize: 3, label: "A <QR> & \"code\"")
        let side = code.size + 8
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\""))
        #expect(svg.contains("viewBox=\"0 0 \(side) \(side)\""))
        #expect(svg.contains("width=\"\(side * 3)\""))
        #expect(svg.contains("<title>A &lt;QR&gt; &amp; &quot;code&quot;</title>"))
        #expect(svg.contains("M4 4h7v1h-7z"))  // the top edge of the top-left finder, inside the quiet zone
        #expect(svg.hasSuffix("</svg>"))
    }

    static func penalty(_ code: QRCode) -> Int {
        QRMask.penalty(size: code.size, modules: code.modules)
    }
}
