/// The one source of randomness the domain uses: ids, nonces, numbers and codes.
///
/// Production passes a CSPRNG (`SystemRandomSource` in TandemServices); tests pass a seeded one.
public protocol RandomSource: Sendable {
    /// Returns `count` random bytes.
    func bytes(_ count: Int) -> [UInt8]
}

extension RandomSource {
    /// A uniformly distributed integer in `0..<upperBound`, by rejection sampling (no modulo bias).
    public func uniform(below upperBound: UInt64) -> UInt64 {
        precondition(upperBound > 0)
        let limit = UInt64.max - (UInt64.max % upperBound)
        while true {
            let value = bytes(8).reduce(UInt64(0)) { ($0 << 8) | UInt64($1) }
            if value < limit { return value % upperBound }
        }
    }

    /// A random identifier of `byteCount` bytes, base64url-encoded (default 16 bytes = 128 bits).
    ///
    /// Never starts with "-" (redrawn, as `pastableSecret`): identifiers are pasted into command
    /// lines too (`tandem-authenticator approve --request ID`), where a leading "-" reads as an
    /// option. Costs under 0.03 bits.
    public func identifier(byteCount: Int = 16) -> String {
        pastableSecret(byteCount: byteCount)
    }

    /// A secret that people paste into other programs (a RADIUS shared secret, a client secret):
    /// `byteCount` random bytes, base64url, redrawn while it starts with "-", which command-line
    /// tools read as an option (`radclient … -`, `--secret-key -x…`). Costs under 0.03 bits.
    public func pastableSecret(byteCount: Int) -> String {
        while true {
            let text = Base64URL.encode(bytes(byteCount))
            if !text.hasPrefix("-") { return text }
        }
    }

    /// A random UUID-shaped identifier (version 4 layout), the shape Graph uses for object ids.
    public func uuid() -> String {
        var b = bytes(16)
        b[6] = (b[6] & 0x0F) | 0x40
        b[8] = (b[8] & 0x3F) | 0x80
        let hex = b.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }
}

extension String {
    func leftPadded(to length: Int, with pad: Character = "0") -> String {
        count >= length ? self : String(repeating: pad, count: length - count) + self
    }
}
