import Crypto
import Foundation

/// What a web authenticator needs to create its approval passkey (protocol version 3): the
/// options of `navigator.credentials.create()` the server decides. The app adds the rest
/// (`pubKeyCredParams` ES256, `authenticatorAttachment: "platform"`, `userVerification:
/// "required"`, `residentKey: "discouraged"`, `attestation: "none"`).
public struct ApprovalPasskeyOptions: Codable, Sendable, Equatable {
    /// 32 random bytes, base64url: single use, for this device only, until the activation window closes.
    public var challenge: String
    /// The RP ID: the host of the server's public URL.
    public var rpId: String
    /// `user.id`, base64url: the device's id, not the user's, so the approval passkey never
    /// replaces a sign-in passkey of the same user on a platform authenticator.
    public var userHandle: String
    public var userName: String
    public var userDisplayName: String
    public var timeoutMs: Int

    public init(challenge: String, rpId: String, userHandle: String, userName: String, userDisplayName: String, timeoutMs: Int) {
        self.challenge = challenge
        self.rpId = rpId
        self.userHandle = userHandle
        self.userName = userName
        self.userDisplayName = userDisplayName
        self.timeoutMs = timeoutMs
    }
}

/// `POST /device/v1/approval-passkey` (signed by the device key): the new credential from
/// `navigator.credentials.create()`, its binary fields base64url.
public struct ApprovalPasskeyRequest: Codable, Sendable {
    public var credentialId: String
    public var clientDataJSON: String
    public var attestationObject: String

    public init(credentialId: String, clientDataJSON: String, attestationObject: String) {
        self.credentialId = credentialId
        self.clientDataJSON = clientDataJSON
        self.attestationObject = attestationObject
    }
}

/// A WebAuthn assertion from `navigator.credentials.get()`, its binary fields base64url.
public struct WebAuthnAssertion: Codable, Sendable, Equatable {
    public var credentialId: String
    public var clientDataJSON: String
    public var authenticatorData: String
    public var signature: String

    public init(credentialId: String, clientDataJSON: String, authenticatorData: String, signature: String) {
        self.credentialId = credentialId
        self.clientDataJSON = clientDataJSON
        self.authenticatorData = authenticatorData
        self.signature = signature
    }

    /// The WebAuthn challenge for an assertion over canonical bytes (an answer, a key change):
    /// their SHA-256. A web authenticator passes it to `navigator.credentials.get()`.
    public static func challenge(over bytes: [UInt8]) -> [UInt8] {
        Array(SHA256.hash(data: bytes))
    }
}

/// `POST /device/v1/phone-sign-in` from a web authenticator: the key-change nonce and an
/// assertion of the approval passkey over `SignedBytes.keyChange(…, change: .phoneSignIn,
/// publicKey: <the device key>)` (challenge = SHA-256 of those bytes). For a web device the
/// phone sign-in key is its device key.
public struct WebPhoneSignInRequest: Codable, Sendable {
    public var nonce: String
    public var assertion: WebAuthnAssertion

    public init(nonce: String, assertion: WebAuthnAssertion) {
        self.nonce = nonce
        self.assertion = assertion
    }
}
