import TandemCore
import TandemTesting
import Testing

@Suite("Number matching")
struct NumberMatchTests {
    @Test("Numbers have exactly the configured digits", arguments: 2...8)
    func digits(count: Int) {
        let random = SeededRandomSource(seed: UInt64(count))
        for _ in 0..<200 {
            let number = NumberMatch.draw(digits: count, previous: nil, random: random)
            #expect(number.count == count)
            #expect(number.first != "0")
            #expect(NumberMatch.isWellFormed(number))
        }
    }

    @Test("A number never repeats the previous one for the user")
    func neverRepeats() {
        let random = SeededRandomSource(seed: 7)
        var previous: String? = nil
        for _ in 0..<2000 {
            let number = NumberMatch.draw(digits: 2, previous: previous, random: random)
            #expect(number != previous)
            previous = number
        }
    }

    @Test("Two-digit numbers cover 10 to 99 roughly uniformly")
    func uniform() {
        let random = SeededRandomSource(seed: 99)
        var counts: [String: Int] = [:]
        for _ in 0..<90_000 { counts[NumberMatch.draw(digits: 2, previous: nil, random: random), default: 0] += 1 }
        #expect(counts.count == 90)
        #expect(counts.values.min()! > 800)
        #expect(counts.values.max()! < 1200)
    }

    @Test("Comparison needs the exact digits")
    func matches() {
        #expect(NumberMatch.matches(typed: "42", expected: "42"))
        #expect(!NumberMatch.matches(typed: "042", expected: "42"))
        #expect(!NumberMatch.matches(typed: "4", expected: "42"))
        #expect(!NumberMatch.matches(typed: "43", expected: "42"))
    }

    @Test("Well-formed answers are 1 to 8 ASCII digits", arguments: [
        ("1", true), ("12345678", true), ("", false), ("123456789", false), ("1a", false), ("٤٢", false), (" 42", false),
    ])
    func wellFormed(text: String, valid: Bool) {
        #expect(NumberMatch.isWellFormed(text) == valid)
    }
}

@Suite("Encodings and comparisons")
struct EncodingTests {
    @Test("Base64url round-trips and refuses other alphabets")
    func base64url() {
        let bytes: [UInt8] = [0xfb, 0xff, 0xbf, 0x00, 0x01]
        let text = Base64URL.encode(bytes)
        #expect(text == "-_-_AAE")
        #expect(Base64URL.decode(text) == bytes)
        #expect(Base64URL.decode("+/+/AAE") == nil)
        #expect(Base64URL.decode("a") == nil)
        #expect(Base64URL.decode("ab\n") == nil)
    }

    @Test("Base32 matches RFC 4648 test vectors", arguments: [
        ("", ""), ("f", "MY"), ("fo", "MZXQ"), ("foo", "MZXW6"), ("foob", "MZXW6YQ"), ("fooba", "MZXW6YTB"), ("foobar", "MZXW6YTBOI"),
    ])
    func base32(plain: String, encoded: String) {
        #expect(Base32.encode(Array(plain.utf8)) == encoded)
        #expect(Base32.decode(encoded) == Array(plain.utf8))
        #expect(Base32.decode(encoded.lowercased()) == Array(plain.utf8))
    }

    @Test("Base32 refuses characters outside its alphabet")
    func base32Invalid() {
        #expect(Base32.decode("MZXW1") == nil)
        #expect(Base32.decode("MZ!W") == nil)
    }

    @Test("Constant-time equality is equality")
    func constantTime() {
        #expect(ConstantTime.equals("abc", "abc"))
        #expect(!ConstantTime.equals("abc", "abd"))
        #expect(!ConstantTime.equals("abc", "abcd"))
        #expect(!ConstantTime.equals("", "a"))
        #expect(ConstantTime.equals("", ""))
    }

    @Test("Random identifiers carry at least 128 bits and do not repeat")
    func identifiers() {
        let random = SeededRandomSource(seed: 1)
        let ids = (0..<1000).map { _ in random.identifier() }
        #expect(Set(ids).count == 1000)
        #expect(ids.allSatisfy { Base64URL.decode($0)?.count == 16 })
        let uuid = random.uuid()
        #expect(uuid.count == 36)
        #expect(Array(uuid)[14] == "4")
    }

    /// Replays the given byte strings in order: the first draw of a secret starts with "-".
    final class ScriptedRandom: RandomSource, @unchecked Sendable {
        var draws: [[UInt8]]
        init(_ draws: [[UInt8]]) { self.draws = draws }
        func bytes(_ count: Int) -> [UInt8] { draws.removeFirst() }
    }

    @Test("A secret people paste into other programs never starts with \"-\" (a command line reads it as an option)")
    func pastableSecrets() {
        let dash: [UInt8] = [0xF8] + Array(repeating: 0x41, count: 23)   // 0b111110… encodes as "-"
        #expect(Base64URL.encode(dash).hasPrefix("-"))
        let next: [UInt8] = Array(repeating: 0x41, count: 24)
        let random = ScriptedRandom([dash, next])
        #expect(random.pastableSecret(byteCount: 24) == Base64URL.encode(next))
        let seeded = SeededRandomSource(seed: 3)
        let secrets = (0..<2000).map { _ in seeded.pastableSecret(byteCount: 24) }
        #expect(secrets.allSatisfy { !$0.hasPrefix("-") && Base64URL.decode($0)?.count == 24 })
        #expect(Set(secrets).count == 2000)
    }
}
