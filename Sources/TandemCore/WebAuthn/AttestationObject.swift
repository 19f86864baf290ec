/// The `attestationObject` of a registration (WebAuthn Level 3 §6.5): statement format, statement
/// and authenticator data. Verifies `none` and `packed` self attestation.
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

    /// Verifies the statement; with `enforce` false, a format Tandem does not verify is taken as `none`.
    func verify(clientDataHash: [UInt8], enforce: Bool) throws(TandemError) -> WebAuthnRelyingParty.AttestationType {
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
        default:
            // Full (x5c) attestation and other formats are not verified yet (docs/decisions/0020-passkeys.md).
            if enforce { throw WebAuthnRejection.attestationRequired.error }
            return .none
        }
    }
}
