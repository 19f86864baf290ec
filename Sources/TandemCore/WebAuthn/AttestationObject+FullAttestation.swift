import Crypto
import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509
import _CryptoExtras

/// `packed` full attestation (WebAuthn Level 3 §8.2.1 with `x5c`, decision 0037): the statement's
/// signature by the attestation certificate's key, the certificate requirements of §8.2.1.1, the
/// AAGUID extension, and a chain to an administrator's root at the server clock's time.
extension AttestationObject {
    /// id-fido-gen-ce-aaguid: the authenticator model the certificate speaks for.
    static let aaguidExtension: ASN1ObjectIdentifier = [1, 3, 6, 1, 4, 1, 45724, 1, 1, 4]
    /// More certificates than any real authenticator sends is refused before parsing.
    static let maxChainLength = 8

    /// Verifies the statement and returns the verified chain, leaf first, ending at one of `roots`.
    func verifyFullAttestation(clientDataHash: [UInt8], roots: AttestationTrustAnchors,
                               now: Date) async throws(TandemError) -> [Certificate] {
        guard let credential = authenticatorData.attestedCredential, let alg = statement[text: "alg"]?.int,
              case .bytes(let signature)? = statement[text: "sig"], case .array(let items)? = statement[text: "x5c"],
              !items.isEmpty, items.count <= Self.maxChainLength
        else { throw WebAuthnRejection.malformedAttestation.error }
        var chain: [Certificate] = []
        for item in items {
            guard case .bytes(let der) = item, let certificate = try? Certificate(derEncoded: der) else {
                throw WebAuthnRejection.malformedAttestation.error
            }
            chain.append(certificate)
        }
        let leaf = chain[0]
        // §8.2.1 step 2.1: sig over authenticatorData ‖ clientDataHash with attestnCert's key and alg.
        guard Self.isValidSignature(signature, alg: alg, key: leaf.publicKey, message: authenticatorData.raw + clientDataHash) else {
            throw WebAuthnRejection.attestationInvalid.error
        }
        try Self.checkRequirements(leaf, aaguid: credential.aaguid)
        guard leaf.notValidBefore <= now, now <= leaf.notValidAfter else { throw WebAuthnRejection.attestationCertificateExpired.error }
        guard !roots.isEmpty else { throw WebAuthnRejection.attestationNoTrustAnchors.error }
        var verifier = Verifier(rootCertificates: CertificateStore(roots.certificates)) {
            RFC5280Policy(fixedExpiryValidationTime: now)
        }
        guard case .validCertificate(let path) = await verifier.validate(leaf: leaf, intermediates: CertificateStore(chain.dropFirst())) else {
            throw WebAuthnRejection.attestationUntrusted.error
        }
        return Array(path)
    }

    /// The attestation signature with the certificate's key: ES256 (DER), RS256 (PKCS#1 v1.5,
    /// at least 2048 bits) or EdDSA (Ed25519), as for credential keys.
    static func isValidSignature(_ signature: [UInt8], alg: Int, key: Certificate.PublicKey, message: [UInt8]) -> Bool {
        switch COSEKey.Algorithm(rawValue: alg) {
        case .es256?:
            guard let key = P256.Signing.PublicKey(key), let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case .rs256?:
            guard let key = _RSA.Signing.PublicKey(key), key.keySizeInBits >= 2048 else { return false }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
        case .edDSA?:
            guard let key = Curve25519.Signing.PublicKey(key) else { return false }
            return key.isValidSignature(signature, for: message)
        case nil:
            return false
        }
    }

    /// §8.2.1.1: version 3; subject C (two letters), O, OU "Authenticator Attestation" and CN;
    /// basicConstraints present with CA false; an AAGUID extension, if any, non-critical and equal
    /// to the authenticator data's AAGUID.
    static func checkRequirements(_ certificate: Certificate, aaguid: [UInt8]) throws(TandemError) {
        let attributes = certificate.subject.flatMap { $0 }
        func value(_ type: ASN1ObjectIdentifier) -> String {
            attributes.first { $0.type == type }.map { String(describing: $0.value) } ?? ""
        }
        guard certificate.version == .v3, value(.RDNAttributeType.countryName).count == 2,
              !value(.RDNAttributeType.organizationName).isEmpty, !value(.RDNAttributeType.commonName).isEmpty,
              value(.RDNAttributeType.organizationalUnitName) == "Authenticator Attestation",
              case .notCertificateAuthority? = try? certificate.extensions.basicConstraints
        else { throw WebAuthnRejection.attestationCertificateInvalid.error }
        if let ext = certificate.extensions[oid: aaguidExtension] {
            guard !ext.critical else { throw WebAuthnRejection.attestationCertificateInvalid.error }
            guard let octets = try? ASN1OctetString(derEncoded: ext.value), Array(octets.bytes) == aaguid else {
                throw WebAuthnRejection.attestationAAGUIDMismatch.error
            }
        }
    }
}
