/// The per-version facts the encoder needs for versions 1 to 10 (ISO/IEC 18004 tables 1, 9 and E.1).
struct QRVersion: Sendable {
    /// The smallest and largest version this encoder writes.
    static let supported = 1...10

    /// One group of equally long blocks.
    struct BlockGroup: Sendable {
        var count: Int
        var dataCodewords: Int
    }

    /// How the codewords of one version and level are split into blocks.
    struct Blocks: Sendable {
        /// Error correction codewords per block (the same for every block).
        var ecCodewordsPerBlock: Int
        /// Shorter blocks first, as the standard orders them.
        var groups: [BlockGroup]

        var dataCodewords: Int { groups.reduce(0) { $0 + $1.count * $1.dataCodewords } }
        var blockCount: Int { groups.reduce(0) { $0 + $1.count } }
    }

    let number: Int

    /// Modules per side.
    var size: Int { number * 4 + 17 }

    /// The centres of the alignment patterns, on both axes.
    var alignmentCentres: [Int] {
        Self.alignment[number - 1]
    }

    /// Bits of the byte-mode character count (8 for versions 1–9, 16 from version 10).
    var byteCountBits: Int { number <= 9 ? 8 : 16 }

    /// The block structure at `level`.
    func blocks(_ level: QRErrorCorrection) -> Blocks {
        let row = Self.blockTable[number - 1]
        let entry: (Int, Int, Int, Int, Int)
        switch level {
        case .low: entry = row.0
        case .medium: entry = row.1
        case .quartile: entry = row.2
        case .high: entry = row.3
        }
        var groups = [BlockGroup(count: entry.1, dataCodewords: entry.2)]
        if entry.3 > 0 { groups.append(BlockGroup(count: entry.3, dataCodewords: entry.4)) }
        return Blocks(ecCodewordsPerBlock: entry.0, groups: groups)
    }

    /// The most bytes byte mode can carry at `level`.
    func byteCapacity(_ level: QRErrorCorrection) -> Int {
        (blocks(level).dataCodewords * 8 - 4 - byteCountBits) / 8
    }

    private static let alignment: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50],
    ]

    /// Per version, for L, M, Q, H: (EC codewords per block, blocks in group 1, data codewords per
    /// block in group 1, blocks in group 2, data codewords per block in group 2).
    private static let blockTable: [((Int, Int, Int, Int, Int), (Int, Int, Int, Int, Int),
                                     (Int, Int, Int, Int, Int), (Int, Int, Int, Int, Int))] = [
        ((7, 1, 19, 0, 0), (10, 1, 16, 0, 0), (13, 1, 13, 0, 0), (17, 1, 9, 0, 0)),
        ((10, 1, 34, 0, 0), (16, 1, 28, 0, 0), (22, 1, 22, 0, 0), (28, 1, 16, 0, 0)),
        ((15, 1, 55, 0, 0), (26, 1, 44, 0, 0), (18, 2, 17, 0, 0), (22, 2, 13, 0, 0)),
        ((20, 1, 80, 0, 0), (18, 2, 32, 0, 0), (26, 2, 24, 0, 0), (16, 4, 9, 0, 0)),
        ((26, 1, 108, 0, 0), (24, 2, 43, 0, 0), (18, 2, 15, 2, 16), (22, 2, 11, 2, 12)),
        ((18, 2, 68, 0, 0), (16, 4, 27, 0, 0), (24, 4, 19, 0, 0), (28, 4, 15, 0, 0)),
        ((20, 2, 78, 0, 0), (18, 4, 31, 0, 0), (18, 2, 14, 4, 15), (26, 4, 13, 1, 14)),
        ((24, 2, 97, 0, 0), (22, 2, 38, 2, 39), (22, 4, 18, 2, 19), (26, 4, 14, 2, 15)),
        ((30, 2, 116, 0, 0), (22, 3, 36, 2, 37), (20, 4, 16, 4, 17), (24, 4, 12, 4, 13)),
        ((18, 2, 68, 2, 69), (26, 4, 43, 1, 44), (24, 6, 19, 2, 20), (28, 6, 15, 2, 16)),
    ]

    /// Total codewords of each version (data + error correction), to check the table.
    static let totalCodewords = [26, 44, 70, 100, 134, 172, 196, 242, 292, 346]
}
