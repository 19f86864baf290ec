import Crypto
import Foundation
import TandemCore

/// A phone in a test: real P-256 keys, the same signed bytes as AuthenticatorKit.
public struct TestPhone: Sendable {
    public let deviceKey = P256.Signing.PrivateKey()
    public let approvalKey = P256.Signing.PrivateKey()
    public let phoneSignInKey = P256.Signing.PrivateKey()
    public var deviceID: String = ""

    public init() {}

    /// The activation request for `code`.
    public func activation(code: String, name: String = "Test phone") -> ActivationRequest {
        ActivationRequest(code: code, deviceName: name, appVersion: "test-1",
                          deviceKey: DeviceSignature.encode(deviceKey.publicKey),
                          approvalKey: DeviceSignature.encode(approvalKey.publicKey))
    }

    /// A correctly signed answer: approvals with the approval key (phone sign-in key for
    /// passwordless), denials and reports with the device key.
    public func answer(_ offer: ChallengeOffer, _ decision: AnswerDecision, number: String? = nil) throws -> AnswerRequest {
        let key: P256.Signing.PrivateKey
        switch (decision, offer.kind) {
        case (.approve, .passwordless): key = phoneSignInKey
        case (.approve, _): key = approvalKey
        default: key = deviceKey
        }
        return try answer(offer, decision, number: number, signedWith: key)
    }

    /// An answer signed with a chosen key (for forgery tests).
    public func answer(_ offer: ChallengeOffer, _ decision: AnswerDecision, number: String?, signedWith key: P256.Signing.PrivateKey) throws -> AnswerRequest {
        let bytes = SignedBytes.answer(challengeID: offer.id, nonce: offer.nonce, deviceID: deviceID, decision: decision, number: number) ?? []
        return AnswerRequest(deviceId: deviceID, decision: decision, number: number, signature: try DeviceSignature.sign(bytes, with: key))
    }

    /// The phone sign-in request for a key-change nonce the server issued: the approval key and
    /// the new phone sign-in key both sign `SignedBytes.keyChange`.
    public func phoneSignInRequest(nonce: String) throws -> PhoneSignInRequest {
        try phoneSignInRequest(nonce: nonce, approvedWith: approvalKey)
    }

    /// A phone sign-in request whose approval signature is made by a chosen key (attack tests).
    public func phoneSignInRequest(nonce: String, approvedWith approver: P256.Signing.PrivateKey,
                                   newKey: P256.Signing.PrivateKey? = nil) throws -> PhoneSignInRequest {
        let key = newKey ?? phoneSignInKey
        let publicKey = DeviceSignature.encode(key.publicKey)
        let bytes = SignedBytes.keyChange(deviceID: deviceID, nonce: nonce, change: .phoneSignIn, publicKey: publicKey) ?? []
        return PhoneSignInRequest(publicKey: publicKey, nonce: nonce, proof: try DeviceSignature.sign(bytes, with: key),
                                  approvalSignature: try DeviceSignature.sign(bytes, with: approver))
    }

    /// The four headers of a signed device request (version 2) over `body`, with a fresh
    /// request nonce.
    public func signedHeaders(method: String, path: String, time: Date, body: [UInt8] = []) throws -> [String: String] {
        try signedHeaders(method: method, path: path, time: time, body: body, nonce: Self.requestNonce())
    }

    /// The headers of a signed device request with a chosen request nonce.
    public func signedHeaders(method: String, path: String, time: Date, body: [UInt8], nonce: String) throws -> [String: String] {
        let seconds = Int64(time.timeIntervalSince1970)
        let bytes = SignedBytes.requestV2(method: method, path: path, deviceID: deviceID, time: seconds, nonce: nonce, body: body) ?? []
        return ["X-Tandem-Device": deviceID, "X-Tandem-Time": String(seconds), "X-Tandem-Nonce": nonce,
                "X-Tandem-Signature": try DeviceSignature.sign(bytes, with: deviceKey)]
    }

    /// 16 random bytes, base64url.
    public static func requestNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// The channel's auth message for a server nonce.
    public func channelAuth(nonce: String) throws -> ChannelMessage {
        let bytes = SignedBytes.connect(deviceID: deviceID, nonce: nonce) ?? []
        return ChannelMessage(type: .auth, deviceId: deviceID, signature: try DeviceSignature.sign(bytes, with: deviceKey))
    }
}
