import Crypto
import Foundation

/// Tandem as a WebAuthn relying party (WebAuthn Level 3 §7): pure verification of registration
/// and authentication responses, no I/O, no clock, no randomness. Challenges are made, stored,
/// expired and consumed once by the caller; this type only checks that a response answers one.
///
///     let rp = try WebAuthnRelyingParty(publicURL: "https://id.contoso.com")
///     let credential = try await rp.verifyRegistration(response, challenge: issued, policy: .init(), now: clock.now())
///     let assertion = try rp.verifyAssertion(response, challenge: issued, credential: stored, policy: .init())
///
/// Every failure throws a `TandemError` built from a `WebAuthnRejection`.
public struct WebAuthnRelyingParty: Sendable {
    /// The RP ID: the public URL's host.
    public let id: String
    /// The origins a response may come from (the public URL's scheme, host and port).
    public let origins: [String]
    let rpIDHash: [UInt8]

    public init(id: String, origins: [String]) {
        self.id = id
        self.origins = origins
        self.rpIDHash = Array(SHA256.hash(data: Array(id.utf8)))
    }

    /// RP ID and origin from the server's public URL (`--public-url`).
    public init(publicURL: String) throws(TandemError) {
        guard let url = URL(string: publicURL), let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased(), !host.isEmpty,
              scheme == "https" || scheme == "http" else { throw TandemError(.badRequest, "the public URL has no host") }
        let defaultPort = scheme == "https" ? 443 : 80
        let origin = url.port.map { $0 == defaultPort ? "\(scheme)://\(host)" : "\(scheme)://\(host):\($0)" } ?? "\(scheme)://\(host)"
        self.init(id: host, origins: [origin])
    }

    /// What the administrator's policy asks of a new or used credential.
    public struct Policy: Sendable, Equatable {
        /// UV must be set (a PIN or biometric), as a passwordless MFA sign-in needs.
        public var requireUserVerification: Bool
        /// Only a `packed` full attestation whose certificate chains to `attestationRoots` is accepted.
        public var enforceAttestation: Bool
        /// The administrator's attestation roots (decision 0037); none: an enforced attestation refuses every registration.
        public var attestationRoots: AttestationTrustAnchors
        /// When non-empty, only these AAGUIDs (lowercase UUID text) may register.
        public var allowedAAGUIDs: Set<String>
        /// These AAGUIDs may not register.
        public var blockedAAGUIDs: Set<String>

        public init(requireUserVerification: Bool = true, enforceAttestation: Bool = false,
                    allowedAAGUIDs: Set<String> = [], blockedAAGUIDs: Set<String> = [],
                    attestationRoots: AttestationTrustAnchors = AttestationTrustAnchors()) {
            self.requireUserVerification = requireUserVerification
            self.enforceAttestation = enforceAttestation
            self.attestationRoots = attestationRoots
            self.allowedAAGUIDs = allowedAAGUIDs
            self.blockedAAGUIDs = blockedAAGUIDs
        }
    }

    /// A `PublicKeyCredential` from `navigator.credentials.create()`, its binary fields decoded.
    public struct RegistrationResponse: Sendable {
        public var clientDataJSON: [UInt8]
        public var attestationObject: [UInt8]
        public init(clientDataJSON: [UInt8], attestationObject: [UInt8]) {
            self.clientDataJSON = clientDataJSON
            self.attestationObject = attestationObject
        }
    }

    /// How the attestation was judged.
    public enum AttestationType: String, Sendable, Equatable {
        /// `none`, or a format the policy lets Tandem ignore.
        case none
        /// `packed` self attestation, signed by the credential key itself.
        case selfAttestation = "self"
        /// `packed` full (basic) attestation: the certificate chain to an administrator's root verified.
        case basic
    }

    /// A verified new credential, ready to be stored.
    public struct NewCredential: Sendable, Equatable {
        public let credentialID: [UInt8]
        public let publicKey: COSEKey
        public let signCount: UInt32
        /// Lowercase UUID text.
        public let aaguid: String
        public let userVerified: Bool
        public let backupEligible: Bool
        public let backedUp: Bool
        /// The statement format as sent (`none`, `packed`, …).
        public let attestationFormat: String
        public let attestation: AttestationType
    }

    /// Verifies a registration response against the challenge issued for it (§7.1). `now` (the
    /// server clock) is the time an attestation certificate chain must be valid at.
    public func verifyRegistration(_ response: RegistrationResponse, challenge: [UInt8], policy: Policy,
                                   now: Date) async throws(TandemError) -> NewCredential {
        let clientData = try CollectedClientData(response.clientDataJSON)
        try clientData.check(.create, challenge: challenge, origins: origins)
        let clientDataHash = Array(SHA256.hash(data: response.clientDataJSON))
        let attestation = try AttestationObject(response.attestationObject)
        let data = attestation.authenticatorData
        try checkCommon(data, policy: policy)
        guard let credential = data.attestedCredential else { throw WebAuthnRejection.noCredential.error }
        let type = try await attestation.verify(clientDataHash: clientDataHash, enforce: policy.enforceAttestation,
                                                roots: policy.attestationRoots, now: now)
        let aaguid = Self.uuidText(credential.aaguid)
        if policy.blockedAAGUIDs.contains(aaguid) || (!policy.allowedAAGUIDs.isEmpty && !policy.allowedAAGUIDs.contains(aaguid)) {
            throw WebAuthnRejection.aaguidNotAllowed.error
        }
        return NewCredential(credentialID: credential.credentialID, publicKey: credential.publicKey, signCount: data.signCount,
                             aaguid: aaguid, userVerified: data.flags.contains(.userVerified),
                             backupEligible: data.flags.contains(.backupEligible), backedUp: data.flags.contains(.backupState),
                             attestationFormat: attestation.format, attestation: type)
    }

    /// A `PublicKeyCredential` from `navigator.credentials.get()`, its binary fields decoded.
    public struct AssertionResponse: Sendable {
        public var clientDataJSON: [UInt8]
        public var authenticatorData: [UInt8]
        public var signature: [UInt8]
        public init(clientDataJSON: [UInt8], authenticatorData: [UInt8], signature: [UInt8]) {
            self.clientDataJSON = clientDataJSON
            self.authenticatorData = authenticatorData
            self.signature = signature
        }
    }

    /// What the store knows about the credential an assertion names.
    public struct StoredCredential: Sendable {
        public var publicKey: COSEKey
        public var signCount: UInt32
        public var backupEligible: Bool
        public init(publicKey: COSEKey, signCount: UInt32, backupEligible: Bool) {
            self.publicKey = publicKey
            self.signCount = signCount
            self.backupEligible = backupEligible
        }
    }

    /// A verified assertion: what to write back to the credential.
    public struct VerifiedAssertion: Sendable, Equatable {
        public let signCount: UInt32
        public let userVerified: Bool
        public let backedUp: Bool
    }

    /// Verifies an authentication response (§7.2): client data, RP ID hash, flags, the signature
    /// over `authenticatorData || SHA-256(clientDataJSON)` and the signature counter.
    public func verifyAssertion(_ response: AssertionResponse, challenge: [UInt8], credential: StoredCredential,
                                policy: Policy) throws(TandemError) -> VerifiedAssertion {
        let clientData = try CollectedClientData(response.clientDataJSON)
        try clientData.check(.get, challenge: challenge, origins: origins)
        let data = try AuthenticatorData(response.authenticatorData)
        try checkCommon(data, policy: policy)
        guard data.attestedCredential == nil else { throw WebAuthnRejection.unexpectedCredentialData.error }
        guard data.flags.contains(.backupEligible) == credential.backupEligible else {
            throw WebAuthnRejection.backupEligibilityChanged.error
        }
        let signed = response.authenticatorData + Array(SHA256.hash(data: response.clientDataJSON))
        guard credential.publicKey.isValidSignature(response.signature, for: signed) else { throw WebAuthnRejection.signatureInvalid.error }
        // §7.2 step 22: a counter that does not grow, when either side counts, means a possible clone.
        if data.signCount != 0 || credential.signCount != 0, data.signCount <= credential.signCount {
            throw WebAuthnRejection.signCountRegressed.error
        }
        return VerifiedAssertion(signCount: data.signCount, userVerified: data.flags.contains(.userVerified),
                                 backedUp: data.flags.contains(.backupState))
    }

    func checkCommon(_ data: AuthenticatorData, policy: Policy) throws(TandemError) {
        guard ConstantTime.equals(data.rpIDHash, rpIDHash) else { throw WebAuthnRejection.rpIDMismatch.error }
        guard data.flags.contains(.userPresent) else { throw WebAuthnRejection.userNotPresent.error }
        if policy.requireUserVerification, !data.flags.contains(.userVerified) { throw WebAuthnRejection.userNotVerified.error }
    }

    /// 16 bytes as lowercase UUID text.
    public static func uuidText(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        guard hex.count == 32 else { return hex }
        let chars = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(chars[$0]) }.joined(separator: "-")
    }
}
