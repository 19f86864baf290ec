/// Why a WebAuthn response was refused. Each case is thrown as a `TandemError` whose message is
/// the case's `message`, so a caller (and a test) can tell the reasons apart without a second error type.
public enum WebAuthnRejection: String, Sendable, CaseIterable {
    case malformedClientData, wrongType, challengeMismatch, originMismatch, crossOrigin
    case malformedAttestation, malformedAuthenticatorData, malformedPublicKey, unsupportedAlgorithm, rpIDMismatch, userNotPresent, userNotVerified, noCredential
    case unexpectedCredentialData, attestationInvalid, attestationRequired, aaguidNotAllowed
    case attestationCertificateInvalid, attestationAAGUIDMismatch, attestationCertificateExpired, attestationUntrusted
    case attestationNoTrustAnchors
    case signatureInvalid, signCountRegressed, backupEligibilityChanged

    /// The client-safe message (never contains a secret).
    public var message: String {
        switch self {
        case .malformedClientData: return "clientDataJSON is not valid client data"
        case .wrongType: return "clientDataJSON has the wrong type for this ceremony"
        case .challengeMismatch: return "the challenge does not match the one issued"
        case .originMismatch: return "the origin is not this server's"
        case .crossOrigin: return "the ceremony ran in a cross-origin frame"
        case .malformedAttestation: return "attestationObject is not a valid attestation object"
        case .malformedAuthenticatorData: return "authenticatorData is malformed"
        case .malformedPublicKey: return "the credential public key is not a valid COSE key"
        case .unsupportedAlgorithm: return "the credential algorithm is not accepted (ES256, RS256 and EdDSA are)"
        case .rpIDMismatch: return "the RP ID hash is not this server's"
        case .userNotPresent: return "the authenticator did not report user presence"
        case .userNotVerified: return "user verification is required"
        case .noCredential: return "the attestation carries no credential"
        case .unexpectedCredentialData: return "an assertion must not carry attested credential data"
        case .attestationInvalid: return "the attestation statement does not verify"
        case .attestationRequired: return "the policy requires a verifiable attestation"
        case .aaguidNotAllowed: return "this authenticator model is not allowed"
        case .attestationCertificateInvalid:
            return "the attestation certificate does not meet the packed requirements (v3, OU Authenticator Attestation, C, O, CN, CA false)"
        case .attestationAAGUIDMismatch: return "the attestation certificate's AAGUID is not the authenticator's"
        case .attestationCertificateExpired: return "the attestation certificate is not valid at this time"
        case .attestationUntrusted: return "the attestation certificate does not chain to a trusted attestation root"
        case .attestationNoTrustAnchors: return "attestation is enforced but no attestation root certificates are configured"
        case .signatureInvalid: return "the assertion signature does not verify"
        case .signCountRegressed: return "the signature counter went backwards (a cloned authenticator?)"
        case .backupEligibilityChanged: return "the credential's backup eligibility changed"
        }
    }

    /// The error to throw: signatures and counters are `unauthorized`, the rest `badRequest`.
    public var error: TandemError {
        switch self {
        case .signatureInvalid, .signCountRegressed: return TandemError(.unauthorized, message)
        case .aaguidNotAllowed, .attestationRequired, .attestationCertificateExpired, .attestationUntrusted, .attestationNoTrustAnchors:
            return TandemError(.forbidden, message)
        default: return TandemError(.badRequest, message)
        }
    }

    /// The rejection a `TandemError` carries, if it came from WebAuthn verification.
    public init?(_ error: TandemError) {
        guard let match = Self.allCases.first(where: { $0.message == error.message }) else { return nil }
        self = match
    }
}
