import Crypto
import Foundation
import TandemCore

/// A web authenticator in a test (protocol version 3): a P-256 device key (the WebCrypto key) and
/// a platform passkey in software — its attestation object ("none") and assertions built byte by
/// byte as WebAuthn Level 3 §6.1 and §6.5 lay them out. The golden vectors
/// (`Tests/Vectors/web-authenticator-v3.json`) pin the same format from an independent generator.
public struct TestWebPhone: Sendable {
    public let deviceKey = P256.Signing.PrivateKey()
    public let passkeyKey = P256.Signing.PrivateKey()
    public let credentialID: [UInt8]
    /// The origin the browser reports (the server's public URL's origin).
    public let origin: String
    public var deviceID: String = ""

    public static let userPresent: UInt8 = 0x01
    public static let userVerified: UInt8 = 0x04

    public init(origin: String) {
        self.origin = origin
        var generator = SystemRandomNumberGenerator()
        credentialID = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    public var deviceKeyText: String { DeviceSignature.encode(deviceKey.publicKey) }

    /// The activation request of a web authenticator: no approval key.
    public func activation(code: String, name: String = "Web phone") -> ActivationRequest {
        ActivationRequest(code: code, deviceName: name, appVersion: "web-test-1", deviceKey: deviceKeyText, approvalKey: nil, platform: "web")
    }

    /// The passkey's COSE_Key (EC2, ES256, P-256).
    public var coseKey: [UInt8] {
        let point = Array(passkeyKey.publicKey.x963Representation)
        return [0xA5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x58, 0x20] + point[1..<33] + [0x22, 0x58, 0x20] + point[33..<65]
    }

    static func rpIDHash(_ rpID: String) -> [UInt8] { Array(SHA256.hash(data: Array(rpID.utf8))) }

    static func clientData(type: String, challenge: [UInt8], origin: String) -> [UInt8] {
        Array(#"{"type":"\#(type)","challenge":"\#(Base64URL.encode(challenge))","origin":"\#(origin)","crossOrigin":false}"#.utf8)
    }

    /// `navigator.credentials.create()` for the options of the activation's answer.
    public func registration(_ options: ApprovalPasskeyOptions, flags: UInt8 = userPresent | userVerified,
                             rpID: String? = nil, origin: String? = nil, type: String = "webauthn.create") -> ApprovalPasskeyRequest {
        let challenge = Base64URL.decode(options.challenge) ?? []
        let attested = [UInt8](repeating: 0, count: 16) + [UInt8(credentialID.count >> 8), UInt8(credentialID.count & 0xFF)] + credentialID + coseKey
        let authData = Self.rpIDHash(rpID ?? options.rpId) + [flags | 0x40, 0, 0, 0, 0] + attested
        let attestation: [UInt8] = [0xA3, 0x63] + Array("fmt".utf8) + [0x64] + Array("none".utf8) + [0x67] + Array("attStmt".utf8) + [0xA0]
            + [0x68] + Array("authData".utf8) + [0x59, UInt8(authData.count >> 8), UInt8(authData.count & 0xFF)] + authData
        return ApprovalPasskeyRequest(credentialId: Base64URL.encode(credentialID),
                                      clientDataJSON: Base64URL.encode(Self.clientData(type: type, challenge: challenge, origin: origin ?? self.origin)),
                                      attestationObject: Base64URL.encode(attestation))
    }

    /// `navigator.credentials.get()` with challenge = SHA-256(`bytes`).
    public func assertion(over bytes: [UInt8], counter: UInt32, rpID: String, flags: UInt8 = userPresent | userVerified,
                          origin: String? = nil, signedWith key: P256.Signing.PrivateKey? = nil, credentialID: [UInt8]? = nil) throws -> WebAuthnAssertion {
        let clientData = Self.clientData(type: "webauthn.get", challenge: WebAuthnAssertion.challenge(over: bytes), origin: origin ?? self.origin)
        let authData = Self.rpIDHash(rpID) + [flags, UInt8(counter >> 24), UInt8((counter >> 16) & 0xFF), UInt8((counter >> 8) & 0xFF), UInt8(counter & 0xFF)]
        let signature = try (key ?? passkeyKey).signature(for: authData + Array(SHA256.hash(data: clientData))).derRepresentation
        return WebAuthnAssertion(credentialId: Base64URL.encode(credentialID ?? self.credentialID), clientDataJSON: Base64URL.encode(clientData),
                                 authenticatorData: Base64URL.encode(authData), signature: Base64URL.encode(signature))
    }

    /// An answer: every decision signed by the device key; an approval with an assertion over the same bytes.
    public func answer(_ offer: ChallengeOffer, _ decision: AnswerDecision, number: String? = nil, counter: UInt32, rpID: String,
                       flags: UInt8 = userPresent | userVerified) throws -> AnswerRequest {
        let bytes = SignedBytes.answer(challengeID: offer.id, nonce: offer.nonce, deviceID: deviceID, decision: decision, number: number) ?? []
        let assertion = decision == .approve ? try self.assertion(over: bytes, counter: counter, rpID: rpID, flags: flags) : nil
        return AnswerRequest(deviceId: deviceID, decision: decision, number: number, signature: try DeviceSignature.sign(bytes, with: deviceKey),
                             assertion: assertion)
    }

    /// Phone sign-in for a key-change nonce: an assertion over the key-change bytes with key = the device key.
    public func phoneSignInRequest(nonce: String, counter: UInt32, rpID: String, flags: UInt8 = userPresent | userVerified) throws -> WebPhoneSignInRequest {
        let bytes = SignedBytes.keyChange(deviceID: deviceID, nonce: nonce, change: .phoneSignIn, publicKey: deviceKeyText) ?? []
        return WebPhoneSignInRequest(nonce: nonce, assertion: try assertion(over: bytes, counter: counter, rpID: rpID, flags: flags))
    }
}
