import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// The web authenticator's golden vectors (`Tests/Vectors/web-authenticator-v3.json`, made by an
/// independent generator with Python `cryptography`) against the server's real answer path: the
/// valid answer, denial, registration and phone sign-in are accepted exactly as written; each
/// invalid assertion, which changes one thing of a valid one, is refused for its own check, leaves
/// the request pending and stores no counter. If the server skipped any single check, its row fails.
@Suite("Web authenticator golden vectors on the server side")
struct WebAuthenticatorVectorTests {
    static let vectors = WebAuthenticatorVectors.loaded

    struct Fixture {
        let t: TestEnvironment
        let user: User
    }

    /// A web device of the vectors (`registered`: with the vector passkey at `signCount`) and the
    /// vector's pending MFA request.
    static func fixture(registered: Bool = true, signCount: Int64 = 0, state: DeviceState = .active) async throws -> Fixture {
        let v = vectors
        let t = TestEnvironment(settings: ServiceSettings(publicURL: v.publicURL))
        let user = User(id: "u1", userPrincipalName: "alice@contoso.com", displayName: "Alice", passwordHash: nil, createdAt: t.clock.now())
        try await t.storage.insertUser(user)
        let passkey = ApprovalPasskey(credentialID: v.registration.credentialId, publicKey: v.registration.publicKey, signCount: signCount,
                                      backupEligible: false, registeredAt: t.clock.now())
        try await t.storage.insertDevice(Device(
            id: v.deviceId, userID: user.id, name: "Vector web phone", appVersion: "web-1", deviceKey: v.deviceKey.publicKey, approvalKey: "",
            state: state, createdAt: t.clock.now(), platform: .web, approvalPasskey: registered ? passkey : nil,
            approvalPasskeyChallenge: registered ? nil : ApprovalPasskeyChallenge(challenge: v.registration.challenge,
                                                                                  expiresAt: t.clock.now().addingTimeInterval(600))))
        try await t.storage.insertChallenge(Challenge(
            id: v.answer.challengeId, userID: user.id, kind: .mfa, number: "42", nonce: v.answer.nonce,
            context: ChallengeContext(application: "A", ipAddress: "192.0.2.1", location: "L", browser: "B"),
            createdAt: t.clock.now(), expiresAt: t.clock.now().addingTimeInterval(120)))
        return Fixture(t: t, user: user)
    }

    @Test("The vector bytes are TandemCore's canonical bytes, and the challenges their SHA-256")
    func bytes() throws {
        let v = Self.vectors
        let answer = try #require(SignedBytes.answer(challengeID: v.answer.challengeId, nonce: v.answer.nonce, deviceID: v.deviceId,
                                                     decision: .approve, number: v.answer.number))
        #expect(answer == Array(v.answer.bytes.utf8))
        #expect(Base64URL.encode(WebAuthnAssertion.challenge(over: answer)) == v.answer.challenge)
        let keyChange = try #require(SignedBytes.keyChange(deviceID: v.deviceId, nonce: v.phoneSignIn.nonce, change: .phoneSignIn,
                                                           publicKey: v.deviceKey.publicKey))
        #expect(keyChange == Array(v.phoneSignIn.bytes.utf8))
        #expect(Base64URL.encode(WebAuthnAssertion.challenge(over: keyChange)) == v.phoneSignIn.challenge)
        #expect(DeviceSignature.isValid(signature: v.answer.signature, bytes: answer, publicKey: v.deviceKey.publicKey))
    }

    @Test("The server registers the vector passkey and accepts the vector approval, storing its counter")
    func accepted() async throws {
        let v = Self.vectors
        let f = try await Self.fixture(registered: false)
        let service = WebAuthenticatorService(env: f.t.env)
        let device = try #require(try await f.t.storage.device(id: v.deviceId))
        try await service.registerApprovalPasskey(for: device, ApprovalPasskeyRequest(
            credentialId: v.registration.credentialId, clientDataJSON: v.registration.clientDataJSON,
            attestationObject: v.registration.attestationObject), publicURL: v.publicURL)
        let registered = try #require(try await f.t.storage.device(id: v.deviceId)?.approvalPasskey)
        #expect(registered.credentialID == v.registration.credentialId && registered.publicKey == v.registration.publicKey)
        #expect(registered.signCount == v.registration.signCount)
        let response = try await ChallengeService(env: f.t.env).answer(challengeID: v.answer.challengeId, AnswerRequest(
            deviceId: v.deviceId, decision: .approve, number: v.answer.number, signature: v.answer.signature, assertion: v.answer.assertion))
        #expect(response.state == .approved)
        #expect(try await f.t.storage.device(id: v.deviceId)?.approvalPasskey?.signCount == v.answer.signCount)
    }

    @Test("The vector denial is accepted with the device key only")
    func denial() async throws {
        let v = Self.vectors
        let f = try await Self.fixture()
        let response = try await ChallengeService(env: f.t.env).answer(challengeID: v.deny.challengeId, AnswerRequest(
            deviceId: v.deviceId, decision: .deny, number: nil, signature: v.deny.signature))
        #expect(response.state == .denied && response.reason == .userDenied)
    }

    @Test("The vector phone sign-in turns phone sign-in on with the device key as its key")
    func phoneSignIn() async throws {
        let v = Self.vectors
        let f = try await Self.fixture(signCount: v.phoneSignIn.storedSignCount)
        try await f.t.storage.insertKeyChangeNonce(digest: SecretDigest.of(v.phoneSignIn.nonce), deviceID: v.deviceId, createdAt: f.t.clock.now(),
                                                   expiresAt: f.t.clock.now().addingTimeInterval(120))
        let device = try #require(try await f.t.storage.device(id: v.deviceId))
        try await WebAuthenticatorService(env: f.t.env).enablePhoneSignIn(
            for: device, WebPhoneSignInRequest(nonce: v.phoneSignIn.nonce, assertion: v.phoneSignIn.assertion), publicURL: v.publicURL)
        let on = try #require(try await f.t.storage.device(id: v.deviceId))
        #expect(on.phoneSignInKey == v.deviceKey.publicKey && on.approvalPasskey?.signCount == v.phoneSignIn.signCount)
    }

    @Test("Each invalid vector assertion is refused for its own check; the request stays pending and no counter is stored",
          arguments: vectors.invalid)
    func refused(vector: WebAuthenticatorVectors.Invalid) async throws {
        let v = Self.vectors
        let f = try await Self.fixture(signCount: vector.storedSignCount)
        let error = await #expect(throws: TandemError.self) {
            try await ChallengeService(env: f.t.env).answer(challengeID: v.answer.challengeId, AnswerRequest(
                deviceId: v.deviceId, decision: .approve, number: v.answer.number, signature: v.answer.signature, assertion: vector.assertion))
        }
        #expect(error?.code == .unauthorized)
        switch vector.check {
        case "credential":
            #expect(error?.message == "The assertion is not by this authenticator's approval passkey.")
        case WebAuthnRejection.signCountRegressed.rawValue:
            #expect(error?.wireCode == "counterRegression")
        default:
            let rejection = try #require(WebAuthnRejection(rawValue: vector.check))
            #expect(error?.message.contains(rejection.message) == true, "\(error?.message ?? "-") for \(rejection)")
        }
        #expect(try await f.t.storage.challenge(id: v.answer.challengeId)?.state == .pending)
        #expect(try await f.t.storage.device(id: v.deviceId)?.approvalPasskey?.signCount == vector.storedSignCount)
        // The same request with the valid assertion, against the same stored counter: only the changed part was wrong.
        if vector.storedSignCount < (v.answer.signCount ?? 0) {
            let ok = try await ChallengeService(env: f.t.env).answer(challengeID: v.answer.challengeId, AnswerRequest(
                deviceId: v.deviceId, decision: .approve, number: v.answer.number, signature: v.answer.signature, assertion: v.answer.assertion))
            #expect(ok.state == .approved)
        }
    }

    @Test("An approval signed by another key than the device key is refused even with the valid assertion")
    func deviceSignatureStillNeeded() async throws {
        let v = Self.vectors
        let f = try await Self.fixture()
        let error = await #expect(throws: TandemError.self) {
            try await ChallengeService(env: f.t.env).answer(challengeID: v.answer.challengeId, AnswerRequest(
                deviceId: v.deviceId, decision: .approve, number: v.answer.number, signature: v.deny.signature, assertion: v.answer.assertion))
        }
        #expect(error?.code == .unauthorized && error?.message == "The signature is not valid.")
        #expect(try await f.t.storage.challenge(id: v.answer.challengeId)?.state == .pending)
    }

    @Test("Without its registered passkey a web device cannot approve (passkeyRequired)")
    func passkeyRequired() async throws {
        let v = Self.vectors
        let f = try await Self.fixture(registered: false)
        let error = await #expect(throws: TandemError.self) {
            try await ChallengeService(env: f.t.env).answer(challengeID: v.answer.challengeId, AnswerRequest(
                deviceId: v.deviceId, decision: .approve, number: v.answer.number, signature: v.answer.signature, assertion: v.answer.assertion))
        }
        #expect(error?.code == .forbidden && error?.wireCode == "passkeyRequired")
    }
}
