/// Black-box mutations of a seed input: bit flips, byte edits, deletions, duplications, tokens
/// from a per-target dictionary, splices with other corpus entries, number swaps and deep repeats.
struct Mutator {
    /// Characters that end or open structures in the formats Tandem parses.
    static let structural: [UInt8] = Array(#"{}[],:="'/?#&%@.\-_+ ~`|<>;!$*()"#.utf8) + [0, 9, 10, 13, 0x7F, 0x80, 0xC0, 0xFF]
    /// Replacements for a run of digits.
    static let numbers: [String] = ["0", "-0", "-1", "1", "01", "255", "256", "65535", "65536", "2147483648", "4294967296",
                                    "9223372036854775807", "9223372036854775808", "-9223372036854775809",
                                    "99999999999999999999999999", "1e308", "1e309", "-1e309", "1.5", "0x10", "NaN", "Infinity", "٣", "１"]
    /// Tokens every target gets besides its own dictionary.
    static let common: [String] = ["", " ", "\u{0}", "\u{FEFF}", "\u{200B}", "é", "💥", "\u{10FFFF}", "%00", "%", "%zz", "%2F", "\\u0000",
                                   "\\ud800", "\"", "\\", "null", "true", "false", "[]", "{}", "\r\n"]

    var random: FuzzRandom
    let dictionary: [[UInt8]]
    let maxLength: Int

    init(random: FuzzRandom, dictionary: [String], maxLength: Int) {
        self.random = random
        self.dictionary = (dictionary + Self.common).map { Array($0.utf8) }
        self.maxLength = maxLength
    }

    /// One to four stacked mutations of `input`; sometimes a fresh random input instead.
    mutating func mutate(_ input: [UInt8], corpus: [[UInt8]]) -> [UInt8] {
        if random.oneIn(40) { return random.bytes(random.below(min(maxLength, 256) + 1)) }
        var out = input
        for _ in 0..<(1 + random.below(4)) { step(&out, corpus: corpus) }
        if out.count > maxLength { out.removeLast(out.count - maxLength) }
        return out
    }

    private mutating func position(in bytes: [UInt8]) -> Int { bytes.isEmpty ? 0 : random.below(bytes.count + 1) }

    private mutating func range(in bytes: [UInt8]) -> Range<Int> {
        guard !bytes.isEmpty else { return 0..<0 }
        let start = random.below(bytes.count)
        let length = 1 + random.below(min(16, bytes.count - start))
        return start..<(start + length)
    }

    private mutating func step(_ out: inout [UInt8], corpus: [[UInt8]]) {
        switch random.below(12) {
        case 0 where !out.isEmpty:
            let i = random.below(out.count)
            out[i] ^= UInt8(1) << UInt8(random.below(8))
        case 1 where !out.isEmpty:
            out[random.below(out.count)] = UInt8.random(in: 0...255, using: &random)
        case 2:
            out.insert(UInt8.random(in: 0...255, using: &random), at: position(in: out))
        case 3 where !out.isEmpty:
            out.removeSubrange(range(in: out))
        case 4 where !out.isEmpty:
            let r = range(in: out)
            out.insert(contentsOf: out[r], at: position(in: out))
        case 5:
            out.insert(contentsOf: random.pick(dictionary), at: position(in: out))
        case 6 where !out.isEmpty:
            out.replaceSubrange(range(in: out), with: random.pick(dictionary))
        case 7:
            let byte = random.pick(Self.structural)
            if out.isEmpty || random.oneIn(2) { out.insert(byte, at: position(in: out)) } else { out[random.below(out.count)] = byte }
        case 8 where !corpus.isEmpty:
            // Splice: a head of this input with a tail of another.
            let other = random.pick(corpus)
            let cut = position(in: out)
            let from = other.isEmpty ? 0 : random.below(other.count + 1)
            out = Array(out[..<cut]) + Array(other[from...])
        case 9 where !out.isEmpty:
            out.removeLast(random.below(out.count) + 1)
        case 10:
            replaceNumber(&out)
        case 11:
            // Deep or long repeats: nesting, long names, many separators.
            let token = random.oneIn(2) ? [random.pick(Self.structural)] : random.pick(dictionary)
            let count = random.pick([2, 16, 100, 600, 5000])
            guard !token.isEmpty, token.count * count <= maxLength else { return }
            let repeated = (0..<count).flatMap { _ in token }
            out.insert(contentsOf: repeated, at: position(in: out))
        default:
            out.insert(contentsOf: random.pick(dictionary), at: position(in: out))
        }
    }

    /// Replaces a run of ASCII digits with a boundary number.
    private mutating func replaceNumber(_ out: inout [UInt8]) {
        let isDigit = { (b: UInt8) in b >= 0x30 && b <= 0x39 }
        let starts = out.indices.filter { isDigit(out[$0]) && ($0 == 0 || !isDigit(out[$0 - 1])) }
        guard !starts.isEmpty else {
            out.insert(contentsOf: Array(random.pick(Self.numbers).utf8), at: position(in: out))
            return
        }
        let start = random.pick(starts)
        var end = start
        while end < out.count, isDigit(out[end]) { end += 1 }
        out.replaceSubrange(start..<end, with: Array(random.pick(Self.numbers).utf8))
    }
}
