import Foundation
import TandemCore

/// `Tests/Vectors/web-authenticator-v3.json`: the web authenticator's golden vectors (protocol
/// version 3), made by `generate-web-authenticator-v3.py` with Python `cryptography`.
public struct WebAuthenticatorVectors: Decodable, Sendable {
    public struct DeviceKey: Decodable, Sendable {
        public var privateKeyHex: String
        public var publicKey: String
    }

    public struct Registration: Decodable, Sendable {
        public var challenge: String
        public var credentialId: String
        public var clientDataJSON: String
        public var attestationObject: String
        public var publicKey: String
        public var signCount: Int64
    }

    public struct Answer: Decodable, Sendable {
        public var challengeId: String
        public var nonce: String
        public var decision: AnswerDecision
        public var number: String?
        public var bytes: String
        public var challenge: String?
        public var signature: String
        public var assertion: WebAuthnAssertion?
        public var signCount: Int64?
    }

    public struct PhoneSignIn: Decodable, Sendable {
        public var nonce: String
        public var bytes: String
        public var challenge: String
        public var assertion: WebAuthnAssertion
        public var storedSignCount: Int64
        public var signCount: Int64
    }

    public struct Invalid: Decodable, Sendable, CustomStringConvertible {
        public var name: String
        /// The check that refuses it: a `WebAuthnRejection` case name, or `credential`.
        public var check: String
        public var storedSignCount: Int64
        public var bytes: String
        public var assertion: WebAuthnAssertion
        public var description: String { name }
    }

    public var version: Int
    public var publicURL: String
    public var rpId: String
    public var origin: String
    public var deviceKey: DeviceKey
    public var deviceId: String
    public var registration: Registration
    public var answer: Answer
    public var deny: Answer
    public var phoneSignIn: PhoneSignIn
    public var invalid: [Invalid]

    public static let url = SignedBytesVectors.folder.appendingPathComponent("web-authenticator-v3.json")

    public static let loaded: WebAuthenticatorVectors = {
        do {
            return try JSONDecoder().decode(WebAuthenticatorVectors.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()
}
