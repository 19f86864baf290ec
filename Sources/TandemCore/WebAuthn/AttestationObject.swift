import Foundation

/// The `attestationObject` of a registration (WebAuthn Level 3 §6.5): statement format, statement
/// and authenticator data. Verifies `none`, `packed` self and `packed` full (x5c) attestation
/// (`AttestationObject+FullAttestation.swift`).
struct AttestationObject {
    let format: String
    let statement: CBOR
    let authenticatorData: AuthenticatorData

    init(_ bytes: [UInt8]) throws(TandemError) {
        let item: CBOR
        do { item = try CBOR.decode(bytes) } catch { throw WebAuthnRejection.malformedAttestation.error }
        guard case .text(let format)? = item[text: "fmt"], let statement = item[text: "attStmt"], case .map = statement,
              case .bytes(let authData)? = item[text: "authData"] else { throw WebAuthnRejection.malformedAttestation.error }
        self.format = format
        self.statement = statement
        self.authenticatorData = try AuthenticatorData(authData)
    }

    /// Verifies the statement. With `enforce` false, a format Tandem does not verify is taken as
    /// `none`, and so is a full attestation that does not verify against `roots`; with `enforce`
    /// true, only a full attestation chaining to `roots` at `now` passes.
    func verify(clientDataHash: [UInt8], enforce: Bool, roots: AttestationTrustAnchors,
                now: Date) async throws(TandemError) -> WebAuthnRelyingParty.AttestationType {
        // Enforcement without a root to verify against can never pass: say so first (fail closed).
        if enforce, roots.isEmpty { throw WebAuthnRejection.attestationNoTrustAnchors.error }
        switch format {
        case "none":
            guard case .map(let entries) = statement, entries.isEmpty else { throw WebAuthnRejection.malformedAttestation.error }
            if enforce { throw WebAuthnRejection.attestationRequired.error }
            return .none
        case "packed" where statement[text: "x5c"] == nil:
            guard let credential = authenticatorData.attestedCredential, let alg = statement[text: "alg"]?.int,
                  case .bytes(let signature)? = statement[text: "sig"] else { throw WebAuthnRejection.malformedAttestation.error }
            guard alg == credential.publicKey.algorithm.rawValue,
                  credential.publicKey.isValidSignature(signature, for: authenticatorData.raw + clientDataHash)
            else { throw WebAuthnRejection.attestationInvalid.error }
            // Self attestation proves the key signs, not which model made it: not enough when enforced.
            if enforce { throw WebAuthnRejection.attestationRequired.error }
            return .selfAttestation
        case "packed":
            if enforce {
                _ = try await verifyFullAttestation(clientDataHash: clientDataHash, roots: roots, now: now)
                return .basic
            }
            // Not enforced: recorded as attested when it verifies, else ignored as before (decision 0037).
            guard !roots.isEmpty, (try? await verifyFullAttestation(clientDataHash: clientDataHash, roots: roots, now: now)) != nil else {
                return .none
            }
            return .basic
        default:
            // Other formats (tpm, android-key, apple, …) are not verified (docs/decisions/0037-passkey-attestation.md).
            if enforce { throw WebAuthnRejection.attestationRequired.error }
            return .none
        }
    }
}
