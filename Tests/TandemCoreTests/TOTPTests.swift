import Foundation
import TandemCore
import TandemTesting
import Testing

@Suite("TOTP (RFC 6238)")
struct TOTPTests {
    static let sha1Seed = Array("12345678901234567890".utf8)
    static let sha256Seed = Array("12345678901234567890123456789012".utf8)
    static let sha512Seed = Array("1234567890123456789012345678901234567890123456789012345678901234".utf8)

    static func rfc(_ algorithm: TOTP.Algorithm, digits: Int = 8) throws -> TOTP {
        let seed = switch algorithm {
        case .sha1: sha1Seed
        case .sha256: sha256Seed
        case .sha512: sha512Seed
        }
        return try TOTP(secret: seed, digits: digits, period: 30, algorithm: algorithm)
    }

    /// RFC 6238 appendix B: time, step (hex), and the 8-digit codes for SHA-1, SHA-256, SHA-512.
    static let appendixB: [(time: TimeInterval, step: UInt64, sha1: String, sha256: String, sha512: String)] = [
        (59, 0x1, "94287082", "46119246", "90693936"),
        (1_111_111_109, 0x23523EC, "07081804", "68084774", "25091201"),
        (1_111_111_111, 0x23523ED, "14050471", "67062674", "99943326"),
        (1_234_567_890, 0x273EF07, "89005924", "91819424", "93441116"),
        (2_000_000_000, 0x3F940AA, "69279037", "90698825", "38618901"),
        (20_000_000_000, 0x27BC86AA, "65353130", "77737706", "47863826"),
    ]

    @Test("RFC 6238 appendix B vectors, 8 digits", arguments: appendixB.indices)
    func appendixBVectors(index: Int) throws {
        let vector = Self.appendixB[index]
        let date = Date(timeIntervalSince1970: vector.time)
        #expect(try Self.rfc(.sha1).step(at: date) == vector.step)
        #expect(try Self.rfc(.sha1).code(at: date) == vector.sha1)
        #expect(try Self.rfc(.sha256).code(at: date) == vector.sha256)
        #expect(try Self.rfc(.sha512).code(at: date) == vector.sha512)
    }

    @Test("Six digits are the last six of the RFC's eight, leading zeros kept", arguments: appendixB.indices)
    func sixDigits(index: Int) throws {
        let vector = Self.appendixB[index]
        let code = try Self.rfc(.sha1, digits: 6).code(at: Date(timeIntervalSince1970: vector.time))
        #expect(code == String(vector.sha1.suffix(6)))
        #expect(code.count == 6)
    }

    @Test("RFC 4226 appendix D HOTP values are the codes of steps 0 to 9")
    func hotpVectors() throws {
        let expected = ["755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583", "399871", "520489"]
        let totp = try TOTP(secret: Self.sha1Seed)
        #expect((0..<10).map { totp.code(step: UInt64($0)) } == expected)
    }

    @Test("The defaults are SHA-1, 6 digits, 30 seconds")
    func defaults() throws {
        let totp = try TOTP(secret: Self.sha1Seed)
        #expect(totp.algorithm == .sha1 && totp.digits == 6 && totp.period == 30)
        #expect(totp.base32Secret == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    }

    @Test("Seconds remaining count down to the step's end")
    func secondsRemaining() throws {
        let totp = try TOTP(secret: Self.sha1Seed)
        #expect(totp.secondsRemaining(at: Date(timeIntervalSince1970: 60)) == 30)
        #expect(totp.secondsRemaining(at: Date(timeIntervalSince1970: 59)) == 1)
        #expect(totp.secondsRemaining(at: Date(timeIntervalSince1970: 75.9)) == 15)
        #expect(totp.step(at: Date(timeIntervalSince1970: -5)) == 0)
        #expect(totp.step(at: .distantFuture) > 0)
    }

    @Test("Parameters outside the RFC's ranges are refused", arguments: [
        (9, 6, 30), (65, 6, 30), (20, 5, 30), (20, 9, 30), (20, 6, 14), (20, 6, 301),
    ])
    func refusedParameters(secretLength: Int, digits: Int, period: Int) {
        #expect(throws: TandemError(.badRequest, "")) {
            try TOTP(secret: [UInt8](repeating: 1, count: secretLength), digits: digits, period: period)
        }
    }

    @Test("New secrets are 160 bits from the random source")
    func newSecret() {
        let a = TOTP.newSecret(random: SeededRandomSource(seed: 1))
        let b = TOTP.newSecret(random: SeededRandomSource(seed: 2))
        #expect(a.count == 20 && b.count == 20 && a != b)
    }
}

@Suite("TOTP verification")
struct TOTPVerificationTests {
    static let totp = try! TOTP(secret: TOTPTests.sha1Seed)
    /// 1111111111 is step 0x23523ED; its code and its neighbours'.
    static let now = Date(timeIntervalSince1970: 1_111_111_111)
    static let step: UInt64 = 0x23523ED

    @Test("The current code is accepted with its step and no drift")
    func current() {
        #expect(Self.totp.verify("050471", at: Self.now) == .accepted(step: Self.step, drift: 0))
    }

    @Test("One step early or late is accepted and reports the drift", arguments: [-1, 1])
    func neighbour(drift: Int) {
        let step = UInt64(Int(Self.step) + drift)
        #expect(Self.totp.verify(Self.totp.code(step: step), at: Self.now) == .accepted(step: step, drift: drift))
    }

    @Test("Two steps away is rejected", arguments: [-2, 2])
    func outsideWindow(drift: Int) {
        let step = UInt64(Int(Self.step) + drift)
        #expect(Self.totp.verify(Self.totp.code(step: step), at: Self.now) == .rejected)
    }

    @Test("A window of 0 accepts only the current step")
    func zeroWindow() {
        #expect(Self.totp.verify(Self.totp.code(step: Self.step - 1), at: Self.now, window: 0) == .rejected)
        #expect(Self.totp.verify("050471", at: Self.now, window: 0) == .accepted(step: Self.step, drift: 0))
    }

    @Test("A code of the last used step or earlier is a reuse", arguments: [0, 1])
    func reuse(stepsAfter: UInt64) {
        let code = Self.totp.code(step: Self.step - 1)
        #expect(Self.totp.verify(code, at: Self.now, lastUsedStep: Self.step - 1 + stepsAfter) == .reused(step: Self.step - 1))
    }

    @Test("A later step than the last used one is accepted")
    func afterLastUsed() {
        #expect(Self.totp.verify("050471", at: Self.now, lastUsedStep: Self.step - 1) == .accepted(step: Self.step, drift: 0))
    }

    @Test("Malformed codes are rejected", arguments: ["", "05047", "0504711", "05047a", " 050471", "050 471", "٠٥٠٤٧١", "+50471"])
    func malformed(code: String) {
        #expect(Self.totp.verify(code, at: Self.now) == .rejected)
    }

    @Test("A wrong code is rejected")
    func wrong() {
        #expect(Self.totp.verify("050472", at: Self.now) == .rejected)
    }

    @Test("Step 0 at the epoch has no earlier neighbour and does not trap")
    func epoch() {
        let code = Self.totp.code(step: 0)
        #expect(Self.totp.verify(code, at: Date(timeIntervalSince1970: 1)) == .accepted(step: 0, drift: 0))
    }
}

@Suite("otpauth key URI")
struct TOTPKeyURITests {
    static let totp = try! TOTP(secret: TOTPTests.sha1Seed)

    @Test("Builds the Key Uri Format with issuer prefix and parameters")
    func build() {
        let uri = TOTPKeyURI(issuer: "Contoso Ltd", accountName: "alice@contoso.com", totp: Self.totp)
        #expect(uri.string == "otpauth://totp/Contoso%20Ltd:alice@contoso.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Contoso%20Ltd&algorithm=SHA1&digits=6&period=30")
    }

    @Test("Parses what it builds")
    func roundTrip() throws {
        let built = TOTPKeyURI(issuer: "Tandem & Co", accountName: "bob+x@example.com", totp: try TOTP(secret: TOTPTests.sha256Seed, digits: 8, period: 60, algorithm: .sha256))
        let parsed = try TOTPKeyURI(parsing: built.string)
        #expect(parsed.issuer == "Tandem & Co")
        #expect(parsed.accountName == "bob+x@example.com")
        #expect(parsed.totp.digits == 8 && parsed.totp.period == 60 && parsed.totp.algorithm == .sha256)
        #expect(parsed.totp.code(step: 1) == built.totp.code(step: 1))
    }

    @Test("Parses the Google Authenticator example with defaults")
    func googleExample() throws {
        let uri = try TOTPKeyURI(parsing: "otpauth://totp/Example:alice@google.com?secret=JBSWY3DPEHPK3PXP&issuer=Example")
        #expect(uri.issuer == "Example" && uri.accountName == "alice@google.com")
        #expect(uri.totp.digits == 6 && uri.totp.period == 30 && uri.totp.algorithm == .sha1)
        #expect(uri.totp.base32Secret == "JBSWY3DPEHPK3PXP")
    }

    @Test("A label without issuer prefix takes the issuer parameter")
    func issuerParameterOnly() throws {
        let uri = try TOTPKeyURI(parsing: "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=Acme")
        #expect(uri.issuer == "Acme" && uri.accountName == "alice")
    }

    @Test("Malformed URIs are refused", arguments: [
        "https://totp/alice?secret=JBSWY3DPEHPK3PXP",
        "otpauth://hotp/alice?secret=JBSWY3DPEHPK3PXP&counter=1",
        "otpauth://totp/?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/Acme:?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/alice",
        "otpauth://totp/alice?secret=JBSWY3DP!HPK3PXP",
        "otpauth://totp/alice?secret=JBSW",
        "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/Acme:alice?secret=JBSWY3DPEHPK3PXP&issuer=Other",
        "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&algorithm=MD5",
        "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&digits=10",
        "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&digits=six",
        "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&period=0",
    ])
    func refused(text: String) {
        #expect(throws: TandemError(.badRequest, "")) { try TOTPKeyURI(parsing: text) }
    }
}
