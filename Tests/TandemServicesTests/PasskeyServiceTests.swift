import Crypto
import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// A software passkey for the service tests: one P-256 key; CBOR written by hand (the few items
/// WebAuthn needs), independent of the decoder under test.
struct SoftPasskey {
    let key = P256.Signing.PrivateKey()
    let credentialID: [UInt8] = Array(SHA256.hash(data: Array("soft-passkey".utf8)))
    var rpID = "localhost"
    var origin = "http://localhost:8080"

    static func head(_ major: UInt8, _ n: Int) -> [UInt8] {
        n < 24 ? [major << 5 | UInt8(n)] : n < 256 ? [major << 5 | 24, UInt8(n)] : [major << 5 | 25, UInt8(n >> 8), UInt8(n & 0xFF)]
    }
    static func bytes(_ b: [UInt8]) -> [UInt8] { head(2, b.count) + b }
    static func text(_ t: String) -> [UInt8] { head(3, t.utf8.count) + Array(t.utf8) }
    static func int(_ i: Int) -> [UInt8] { i >= 0 ? head(0, i) : head(1, -1 - i) }

    var coseKey: [UInt8] {
        let point = Array(key.publicKey.x963Representation)
        return [0xA5] + Self.int(1) + Self.int(2) + Self.int(3) + Self.int(-7) + Self.int(-1) + Self.int(1)
            + Self.int(-2) + Self.bytes(Array(point[1...32])) + Self.int(-3) + Self.bytes(Array(point[33...64]))
    }

    func clientData(_ type: String, _ challenge: String) -> [UInt8] {
        Array(#"{"type":"\#(type)","challenge":"\#(challenge)","origin":"\#(origin)","crossOrigin":false}"#.utf8)
    }

    func authenticatorData(flags: UInt8, counter: UInt32, attested: Bool) -> [UInt8] {
        var data = Array(SHA256.hash(data: Array(rpID.utf8))) + [flags] + withUnsafeBytes(of: counter.bigEndian, Array.init)
        if attested { data += [UInt8](repeating: 0, count: 16) + [0, UInt8(credentialID.count)] + credentialID + coseKey }
        return data
    }

    func registration(_ options: PasskeyService.CreationOptions, flags: UInt8 = 0x45) -> PasskeyService.RegistrationAnswer {
        let attestation = [0xA3] + Self.text("fmt") + Self.text("none") + Self.text("attStmt") + [0xA0]
            + Self.text("authData") + Self.bytes(authenticatorData(flags: flags, counter: 0, attested: true))
        return .init(challengeId: options.challengeId, clientDataJSON: Base64URL.encode(clientData("webauthn.create", options.challenge)),
                     attestationObject: Base64URL.encode(attestation), transports: ["internal"], name: "Soft")
    }

    func assertion(_ options: SignInService.PasskeyRequestOptions, counter: UInt32, userHandle: String?) throws -> SignInService.PasskeyAssertion {
        let client = clientData("webauthn.get", options.challenge)
        let data = authenticatorData(flags: 0x05, counter: counter, attested: false)
        let signature = try key.signature(for: data + Array(SHA256.hash(data: client))).derRepresentation
        return .init(challengeId: options.challengeId, credentialId: Base64URL.encode(credentialID), clientDataJSON: Base64URL.encode(client),
                     authenticatorData: Base64URL.encode(data), signature: Base64URL.encode(signature), userHandle: userHandle)
    }
}

@Suite("Passkeys")
struct PasskeyServiceTests {
    static let publicURL = "http://localhost:8080"

    /// Alice signed in with MFA a moment ago (a session that may change methods).
    static func strongSession(_ s: Scenario) async throws -> Session {
        let session = Session(id: "s-\(UUID().uuidString)", userID: s.user.id, methods: ["mfa", "pwd", "swk"],
                              createdAt: s.t.clock.now(), expiresAt: s.t.clock.now().addingTimeInterval(3600))
        try await s.t.storage.insertSession(session)
        return session
    }

    @Test("A passkey registers from a strong session, is audited, and signs in with mfa hwk user")
    func registerThenSignIn() async throws {
        let s = try await Scenario()
        let passkeys = PasskeyService(env: s.t.env)
        let session = try await Self.strongSession(s)
        let options = try await passkeys.beginRegistration(for: s.user, session: session, publicURL: Self.publicURL)
        #expect(options.rp.id == "localhost" && options.user.id == Base64URL.encode(Array(s.user.id.utf8)))
        #expect(Base64URL.decode(options.challenge)?.count == 32)
        let soft = SoftPasskey()
        let (passkey, _) = try await passkeys.finishRegistration(soft.registration(options), for: s.user, session: session, publicURL: Self.publicURL)
        #expect(passkey.name == "Soft" && passkey.transports == ["internal"] && passkey.algorithm == -7 && !passkey.backupEligible)
        #expect(try await s.t.storage.audits(limit: 5, before: nil).contains { $0.activity == "Add passkey (FIDO2) method" })

        let request = try await s.signIn.passkeyOptions(publicURL: Self.publicURL)
        let started = try await s.signIn.signInWithPasskey(try soft.assertion(request, counter: 1, userHandle: options.user.id),
                                                           flowToken: nil, context: Scenario.context, publicURL: Self.publicURL)
        let done = try await s.signIn.complete(token: started.token)
        #expect(done.session.methods == ["mfa", "hwk", "user"])
        #expect(try await s.t.storage.passkey(id: passkey.id)?.signCount == 1)
    }

    @Test("A registration challenge is single use and expires by the server clock")
    func challengeLifetime() async throws {
        let s = try await Scenario()
        let passkeys = PasskeyService(env: s.t.env)
        let session = try await Self.strongSession(s)
        let soft = SoftPasskey()
        let late = try await passkeys.beginRegistration(for: s.user, session: session, publicURL: Self.publicURL)
        s.t.clock.advance(by: PasskeyService.challengeLifetime)
        await #expect(throws: TandemError(.badRequest, "")) {
            try await passkeys.finishRegistration(soft.registration(late), for: s.user, session: session, publicURL: Self.publicURL)
        }
        let fresh = try await Self.strongSession(s)
        let options = try await passkeys.beginRegistration(for: s.user, session: fresh, publicURL: Self.publicURL)
        // Without user verification: refused, and the challenge is spent all the same.
        await #expect(throws: WebAuthnRejection.userNotVerified.error) {
            try await passkeys.finishRegistration(soft.registration(options, flags: 0x41), for: s.user, session: fresh, publicURL: Self.publicURL)
        }
        await #expect(throws: TandemError(.badRequest, "")) {
            try await passkeys.finishRegistration(soft.registration(options), for: s.user, session: fresh, publicURL: Self.publicURL)
        }
        #expect(try await passkeys.passkeys(of: s.user).isEmpty)
    }

    @Test("A session older than the step-up window cannot start or finish a registration")
    func stepUp() async throws {
        let s = try await Scenario()
        let passkeys = PasskeyService(env: s.t.env)
        let session = try await Self.strongSession(s)
        let options = try await passkeys.beginRegistration(for: s.user, session: session, publicURL: Self.publicURL)
        s.t.clock.advance(by: 11 * 60)
        await #expect(throws: TandemError(.forbidden, "")) {
            try await passkeys.beginRegistration(for: s.user, session: session, publicURL: Self.publicURL)
        }
        await #expect(throws: TandemError(.forbidden, "")) {
            try await passkeys.finishRegistration(SoftPasskey().registration(options), for: s.user, session: session, publicURL: Self.publicURL)
        }
        let password = Session(id: "pwd-only", userID: s.user.id, methods: ["pwd"], createdAt: s.t.clock.now(),
                               expiresAt: s.t.clock.now().addingTimeInterval(3600))
        await #expect(throws: TandemError(.forbidden, "")) {
            try await passkeys.beginRegistration(for: s.user, session: password, publicURL: Self.publicURL)
        }
    }

    @Test("A cloned authenticator's counter that does not grow is refused and the stored counter stays")
    func counterRegression() async throws {
        let s = try await Scenario()
        let passkeys = PasskeyService(env: s.t.env)
        let session = try await Self.strongSession(s)
        let options = try await passkeys.beginRegistration(for: s.user, session: session, publicURL: Self.publicURL)
        let soft = SoftPasskey()
        let (passkey, _) = try await passkeys.finishRegistration(soft.registration(options), for: s.user, session: session, publicURL: Self.publicURL)
        let first = try await s.signIn.passkeyOptions(publicURL: Self.publicURL)
        _ = try await s.signIn.signInWithPasskey(try soft.assertion(first, counter: 7, userHandle: nil), flowToken: nil,
                                                 context: Scenario.context, publicURL: Self.publicURL)
        let clone = try await s.signIn.passkeyOptions(publicURL: Self.publicURL)
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.signIn.signInWithPasskey(try soft.assertion(clone, counter: 7, userHandle: nil), flowToken: nil,
                                                 context: Scenario.context, publicURL: Self.publicURL)
        }
        #expect(try await s.t.storage.passkey(id: passkey.id)?.signCount == 7)
    }
}
