/// The codeword sequence of a symbol: byte-mode segment, terminator, padding, then the blocks'
/// data and error correction codewords interleaved (ISO/IEC 18004 §7.4 and §7.6).
enum QRCodewords {
    /// The data codewords (before error correction) of `bytes` in byte mode for `version`, `level`.
    static func data(_ bytes: [UInt8], version: QRVersion, level: QRErrorCorrection) -> [UInt8] {
        let capacityBits = version.blocks(level).dataCodewords * 8
        var bits = BitBuffer()
        bits.append(0b0100, count: 4)  // byte mode
        bits.append(bytes.count, count: version.byteCountBits)
        for byte in bytes { bits.append(Int(byte), count: 8) }
        precondition(bits.count <= capacityBits, "checked by the caller")
        bits.append(0, count: min(4, capacityBits - bits.count))  // terminator
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var codewords = bits.bytes
        var pad: UInt8 = 0xEC
        while codewords.count < capacityBits / 8 {
            codewords.append(pad)
            pad = pad == 0xEC ? 0x11 : 0xEC
        }
        return codewords
    }

    /// The final sequence: data codewords split into blocks, error correction added per block,
    /// then both interleaved column by column.
    static func interleaved(_ data: [UInt8], version: QRVersion, level: QRErrorCorrection) -> [UInt8] {
        let layout = version.blocks(level)
        let generator = ReedSolomon.generator(degree: layout.ecCodewordsPerBlock)
        var dataBlocks: [[UInt8]] = []
        var offset = 0
        for group in layout.groups {
            for _ in 0..<group.count {
                dataBlocks.append(Array(data[offset..<offset + group.dataCodewords]))
                offset += group.dataCodewords
            }
        }
        let ecBlocks = dataBlocks.map { ReedSolomon.remainder($0, generator: generator) }
        var result: [UInt8] = []
        result.reserveCapacity(QRVersion.totalCodewords[version.number - 1])
        let longest = dataBlocks.map(\.count).max() ?? 0
        for index in 0..<longest {
            for block in dataBlocks where index < block.count { result.append(block[index]) }
        }
        for index in 0..<layout.ecCodewordsPerBlock {
            for block in ecBlocks { result.append(block[index]) }
        }
        return result
    }
}

/// Bits appended most significant first.
struct BitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    /// Appends the low `count` bits of `value`, most significant first.
    mutating func append(_ value: Int, count bitCount: Int) {
        for shift in stride(from: bitCount - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 == 1 { bytes[count / 8] |= 0x80 >> UInt8(count % 8) }
            count += 1
        }
    }
}
