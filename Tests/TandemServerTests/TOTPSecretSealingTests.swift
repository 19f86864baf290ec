import Foundation
import TandemCore
@testable import TandemServices
import Testing
@testable import TandemServer

/// Verification-code secrets at rest (decision 0027), against a real SQLite file: a new secret is
/// stored sealed under the server's secret key, never in the clear; a secret an earlier version
/// stored in the clear is sealed by the start-up pass without reopening a used code; another
/// secret key cannot open it.
@Suite struct TOTPSecretSealingTests {
    static let key = Base64URL.encode(Array(repeating: UInt8(7), count: 32))

    static func sealing(_ env: ServiceEnvironment, key: String = key) -> ServiceEnvironment {
        var env = env
        env.sealer = RadiusSecretBox(secretKey: key, random: SystemRandomSource())
        return env
    }

    static func device(_ h: OIDCHarness) async throws -> (User, String) {
        let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
        try await OIDCStrengthTests.addDevice(h, alice)
        let device = try #require(try await h.store.devices(userID: alice.id).first)
        return (alice, device.id)
    }

    @Test func aNewSecretIsStoredSealedAndOpensToTheSecretTheDeviceGot() async throws {
        try await OIDCHarness.run { h in
            let (alice, deviceID) = try await Self.device(h)
            let codes = VerificationCodeService(env: Self.sealing(h.env))
            let given = try await codes.issueSecret(deviceID: deviceID)
            let stored = try #require(try await h.store.totpCredentials(userID: alice.id).first)
            #expect(stored.secret.hasPrefix(VerificationCodeService.sealedPrefix))
            #expect(!stored.secret.contains(given), "the secret is not stored in the clear")
            #expect(codes.opened(stored) == Base32.decode(given))
            // Another secret key opens nothing (that device's codes fail, nothing else).
            #expect(VerificationCodeService(env: Self.sealing(h.env, key: Base64URL.encode(Array(repeating: UInt8(9), count: 32)))).opened(stored) == nil)
            // Bound to its device: the same text under another device id does not open.
            #expect(codes.opened(TOTPCredential(deviceID: "other", secret: stored.secret, lastUsedStep: nil)) == nil)
        }
    }

    @Test func thePlaintextSecretsOfAnEarlierVersionAreSealedKeepingTheirLastUsedStep() async throws {
        try await OIDCHarness.run { h in
            let (alice, deviceID) = try await Self.device(h)
            let plain = Base32.encode(TOTP.newSecret(random: SystemRandomSource()))
            try await h.store.setTOTPSecret(deviceID: deviceID, secret: plain)   // as an earlier version stored it
            #expect(try await h.store.useTOTPStep(deviceID: deviceID, step: 1_000))
            let codes = VerificationCodeService(env: Self.sealing(h.env))
            // Without a sealer nothing changes; with one, every plaintext secret is sealed once.
            #expect(try await VerificationCodeService(env: h.env).resealPlaintextSecrets() == 0)
            #expect(try await codes.resealPlaintextSecrets() == 1)
            #expect(try await codes.resealPlaintextSecrets() == 0)
            let stored = try #require(try await h.store.totpCredentials(userID: alice.id).first)
            #expect(stored.secret.hasPrefix(VerificationCodeService.sealedPrefix) && !stored.secret.contains(plain))
            #expect(stored.lastUsedStep == 1_000, "re-sealing does not reopen a used code")
            #expect(codes.opened(stored) == Base32.decode(plain))
            #expect(try await h.store.useTOTPStep(deviceID: deviceID, step: 1_000) == false)
        }
    }
}
