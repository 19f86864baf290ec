import Crypto
import Foundation

/// A time-based one-time password generator (RFC 6238 over RFC 4226's HOTP): the verification
/// codes of an authenticator app. Pure: the time is always passed in.
///
/// Tandem issues SHA-1, 6 digits, 30 seconds — what every authenticator app understands; SHA-256
/// and SHA-512 exist for keys imported from elsewhere and for the RFC's test vectors.
///
/// The secret is kept as a `SymmetricKey`, so it is never printed, logged or compared with `==`.
public struct TOTP: Sendable {
    /// The HMAC hash function.
    public enum Algorithm: String, Sendable, CaseIterable, Codable {
        case sha1 = "SHA1"
        case sha256 = "SHA256"
        case sha512 = "SHA512"
    }

    /// Code lengths RFC 4226 allows.
    public static let allowedDigits = 6...8
    /// Step lengths accepted (seconds).
    public static let allowedPeriods = 15...300
    /// Secret sizes accepted (bytes): at least 80 bits (what widespread apps still issue), at most
    /// one SHA-512 block. Tandem issues `issuedSecretLength`.
    public static let allowedSecretLengths = 10...64
    /// The secret size Tandem issues: 160 bits, RFC 4226's recommendation for SHA-1.
    public static let issuedSecretLength = 20

    /// The shared secret.
    public let secret: SymmetricKey
    /// Digits per code (6 by default).
    public let digits: Int
    /// Seconds per step (30 by default).
    public let period: Int
    /// The HMAC hash function (SHA-1 by default).
    public let algorithm: Algorithm

    /// Creates a generator; throws `.badRequest` when a parameter is outside what is allowed.
    public init(secret: [UInt8], digits: Int = 6, period: Int = 30, algorithm: Algorithm = .sha1) throws {
        guard Self.allowedSecretLengths.contains(secret.count) else {
            throw TandemError(.badRequest, "The secret must be 10 to 64 bytes.")
        }
        guard Self.allowedDigits.contains(digits) else { throw TandemError(.badRequest, "Codes have 6 to 8 digits.") }
        guard Self.allowedPeriods.contains(period) else { throw TandemError(.badRequest, "The period must be 15 to 300 seconds.") }
        self.secret = SymmetricKey(data: secret)
        self.digits = digits
        self.period = period
        self.algorithm = algorithm
    }

    /// A new random secret of `issuedSecretLength` bytes from the one random source.
    public static func newSecret(random: some RandomSource) -> [UInt8] {
        random.bytes(issuedSecretLength)
    }

    /// The secret in base32 (unpadded, upper case), as authenticator apps take it.
    public var base32Secret: String {
        secret.withUnsafeBytes { Base32.encode(Array($0)) }
    }

    /// The step `date` falls in: ⌊unix time / period⌋ (times before 1970 count as 1970).
    public func step(at date: Date) -> UInt64 {
        Self.unixSeconds(date) / UInt64(period)
    }

    /// Seconds until the step of `date` ends (1...period).
    public func secondsRemaining(at date: Date) -> Int {
        period - Int(Self.unixSeconds(date) % UInt64(period))
    }

    /// Whole seconds since 1970, clamped to 0...10^15 so no date traps the conversion.
    static func unixSeconds(_ date: Date) -> UInt64 {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds > 0 else { return 0 }
        return UInt64(min(seconds, 1e15).rounded(.down))
    }

    /// The code for the step of `date`.
    public func code(at date: Date) -> String {
        code(step: step(at: date))
    }

    /// The code for a step (RFC 4226 HOTP with the step as the counter): HMAC over the 8-byte
    /// big-endian counter, dynamic truncation, the last `digits` decimal digits, zero-padded.
    public func code(step: UInt64) -> String {
        let counter = withUnsafeBytes(of: step.bigEndian) { Array($0) }
        let mac: [UInt8]
        switch algorithm {
        case .sha1: mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: counter, using: secret))
        case .sha256: mac = Array(HMAC<SHA256>.authenticationCode(for: counter, using: secret))
        case .sha512: mac = Array(HMAC<SHA512>.authenticationCode(for: counter, using: secret))
        }
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = UInt32(mac[offset] & 0x7F) << 24 | UInt32(mac[offset + 1]) << 16
            | UInt32(mac[offset + 2]) << 8 | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        return String(binary % modulus).leftPadded(to: digits)
    }
}
