import SwiftASN1
import X509

/// The attestation root certificates an administrator trusts for `packed` full attestation
/// (decision 0037): read from a PEM bundle (`tandem serve --fido2-attestation-roots FILE`).
/// Every entry must be a CA certificate; anything else is refused with a one-line reason.
public struct AttestationTrustAnchors: Sendable, Equatable {
    /// The roots, in the bundle's order.
    public let certificates: [Certificate]

    /// No roots: an enforced attestation then refuses every registration (fail closed).
    public init(_ certificates: [Certificate] = []) {
        self.certificates = certificates
    }

    /// Parses a PEM bundle of CA certificates. The error message names the entry, never its bytes.
    public init(pemBundle: String) throws(TandemError) {
        let documents: [PEMDocument]
        do { documents = try PEMDocument.parseMultiple(pemString: pemBundle) } catch {
            throw TandemError(.badRequest, "not a PEM file (expected -----BEGIN CERTIFICATE----- blocks)")
        }
        guard !documents.isEmpty else { throw TandemError(.badRequest, "no PEM certificate in the file") }
        var certificates: [Certificate] = []
        for (index, document) in documents.enumerated() {
            let entry = "entry \(index + 1)"
            guard document.discriminator == "CERTIFICATE" else {
                throw TandemError(.badRequest, "\(entry) is a \(document.discriminator), not a CERTIFICATE")
            }
            let certificate: Certificate
            do { certificate = try Certificate(derEncoded: document.derBytes) } catch {
                throw TandemError(.badRequest, "\(entry) is not a valid X.509 certificate")
            }
            guard case .isCertificateAuthority? = try? certificate.extensions.basicConstraints else {
                throw TandemError(.badRequest, "\(entry) (\(certificate.subject)) is not a CA certificate (basicConstraints CA is not true)")
            }
            certificates.append(certificate)
        }
        self.certificates = certificates
    }

    public var isEmpty: Bool { certificates.isEmpty }
    public var count: Int { certificates.count }
}
