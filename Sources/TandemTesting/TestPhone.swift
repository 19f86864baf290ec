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

    /// The phone sign-in request with its proof of possession.
    public func phoneSignInRequest() throws -> PhoneSignInRequest {
        let publicKey = DeviceSignature.encode(phoneSignInKey.publicKey)
        let proof = try DeviceSignature.sign(SignedBytes.phoneSignIn(deviceID: deviceID, publicKey: publicKey) ?? [], with: phoneSignInKey)
        return PhoneSignInRequest(publicKey: publicKey, proof: proof)
    }

    /// The three headers of a signed device request.
    public func signedHeaders(method: String, path: String, time: Date) throws -> [String: String] {
        let seconds = Int64(time.timeIntervalSince1970)
        let bytes = SignedBytes.request(method: method, path: path, deviceID: deviceID, time: seconds) ?? []
        return ["X-Tandem-Device": deviceID, "X-Tandem-Time": String(seconds),
                "X-Tandem-Signature": try DeviceSignature.sign(bytes, with: deviceKey)]
    }

    /// The channel's auth message for a server nonce.
    public func channelAuth(nonce: String) throws -> ChannelMessage {
        let bytes = SignedBytes.connect(deviceID: deviceID, nonce: nonce) ?? []
        return ChannelMessage(type: .auth, deviceId: deviceID, signature: try DeviceSignature.sign(bytes, with: deviceKey))
    }
}
