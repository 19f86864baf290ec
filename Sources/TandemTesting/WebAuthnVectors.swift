import Foundation
import TandemCore

/// `Tests/Vectors/webauthn-vectors.json`: registration and authentication responses built by
/// Python `fido2` (Tests/Vectors/generate-webauthn.py), valid ones with their expected results and
/// tampered ones with the `WebAuthnRejection` each must meet.
public struct WebAuthnVectors: Decodable, Sendable {
    public struct RP: Decodable, Sendable {
        public var id: String
        public var origin: String
    }

    public struct RegistrationExpectation: Decodable, Sendable {
        public var signCount: UInt32
        public var userVerified: Bool
        public var backupEligible: Bool
        public var backedUp: Bool
        public var format: String
        public var attestation: String
        public var aaguid: String
    }

    public struct Registration: Decodable, Sendable, CustomStringConvertible {
        public var name: String
        public var challenge: String
        public var clientDataJSON: String
        public var attestationObject: String
        public var credentialId: String
        public var publicKey: String
        public var alg: String
        public var expect: RegistrationExpectation?
        public var rejection: String?
        public var description: String { name }

        /// The response as the verifier takes it.
        public var response: WebAuthnRelyingParty.RegistrationResponse {
            .init(clientDataJSON: Base64URL.decode(clientDataJSON)!, attestationObject: Base64URL.decode(attestationObject)!)
        }
    }

    public struct AssertionExpectation: Decodable, Sendable {
        public var signCount: UInt32
        public var userVerified: Bool
        public var backedUp: Bool
    }

    public struct Assertion: Decodable, Sendable, CustomStringConvertible {
        public var name: String
        public var alg: String
        public var challenge: String
        public var clientDataJSON: String
        public var authenticatorData: String
        public var signature: String
        public var credentialId: String
        public var publicKey: String
        public var storedSignCount: UInt32
        public var backupEligible: Bool
        public var expect: AssertionExpectation?
        public var rejection: String?
        public var description: String { name }

        public var response: WebAuthnRelyingParty.AssertionResponse {
            .init(clientDataJSON: Base64URL.decode(clientDataJSON)!, authenticatorData: Base64URL.decode(authenticatorData)!,
                  signature: Base64URL.decode(signature)!)
        }
    }

    public struct Group<T: Decodable & Sendable>: Decodable, Sendable {
        public var valid: [T]
        public var invalid: [T]
    }

    public var rp: RP
    public var registrations: Group<Registration>
    public var assertions: Group<Assertion>

    public static let url = SignedBytesVectors.folder.appendingPathComponent("webauthn-vectors.json")

    public static let loaded: WebAuthnVectors = {
        do {
            return try JSONDecoder().decode(WebAuthnVectors.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()
}
