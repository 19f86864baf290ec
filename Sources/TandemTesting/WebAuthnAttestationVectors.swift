import Foundation
import TandemCore

/// `Tests/Vectors/webauthn-attestation-vectors.json`: `packed` full attestation (x5c)
/// registrations built with Python `cryptography` and `fido2`
/// (Tests/Vectors/generate-webauthn-attestation.py, decision 0037), checked by `fido2` first.
/// Valid ones verify as `basic` with `roots` at `now`; invalid ones meet their rejection.
public struct WebAuthnAttestationVectors: Decodable, Sendable {
    /// The AAGUID lists an entry is verified under (absent: none).
    public struct Lists: Decodable, Sendable {
        public var allowedAAGUIDs: [String]?
        public var blockedAAGUIDs: [String]?
    }

    public struct Expectation: Decodable, Sendable {
        public var attestation: String
        public var format: String
    }

    public struct Registration: Decodable, Sendable, CustomStringConvertible {
        public var name: String
        public var challenge: String
        public var clientDataJSON: String
        public var attestationObject: String
        public var credentialId: String
        public var aaguid: String
        public var policy: Lists
        public var expect: Expectation?
        public var rejection: String?
        /// What `fido2` itself made of the entry.
        public var fido2: String?
        public var description: String { name }

        public var response: WebAuthnRelyingParty.RegistrationResponse {
            .init(clientDataJSON: Base64URL.decode(clientDataJSON)!, attestationObject: Base64URL.decode(attestationObject)!)
        }

        /// The entry's policy with enforced attestation over `roots`.
        public func enforced(roots: AttestationTrustAnchors) -> WebAuthnRelyingParty.Policy {
            .init(enforceAttestation: true, allowedAAGUIDs: Set(policy.allowedAAGUIDs ?? []), blockedAAGUIDs: Set(policy.blockedAAGUIDs ?? []),
                  attestationRoots: roots)
        }
    }

    public var rp: WebAuthnVectors.RP
    /// Seconds since 1970: the time the chains are verified at.
    public var now: Int
    /// The test root (PEM).
    public var roots: String
    /// An unrelated root no vector chains to (PEM).
    public var otherRoots: String
    /// The intermediate CA of the intermediate vector (PEM; a CA certificate, not a root).
    public var intermediate: String
    public var valid: [Registration]
    public var invalid: [Registration]

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(now)) }

    public static let url = SignedBytesVectors.folder.appendingPathComponent("webauthn-attestation-vectors.json")

    public static let loaded: WebAuthnAttestationVectors = {
        do {
            return try JSONDecoder().decode(WebAuthnAttestationVectors.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }()
}
