import Crypto
import _CryptoExtras

/// A credential public key in COSE_Key form (RFC 9053), limited to the algorithms Tandem verifies:
/// ES256 (required by WebAuthn), RS256 (RSA PKCS#1 v1.5, at least 2048 bits) and EdDSA (Ed25519).
public struct COSEKey: Sendable, Equatable {
    /// A COSE algorithm identifier Tandem accepts.
    public enum Algorithm: Int, Sendable, CaseIterable {
        case es256 = -7
        case edDSA = -8
        case rs256 = -257
    }

    enum Material: Sendable, Equatable {
        case p256(x963: [UInt8])
        case ed25519(raw: [UInt8])
        case rsa(n: [UInt8], e: [UInt8])
    }

    public let algorithm: Algorithm
    let material: Material
    /// The COSE_Key exactly as the authenticator encoded it (what the store keeps).
    public let encoded: [UInt8]

    /// Parses and checks a COSE_Key: kty, alg and crv agree, coordinates have the right length,
    /// the point is on the curve / the RSA key is at least 2048 bits.
    public init(cbor: CBOR, encoded: [UInt8]) throws(TandemError) {
        guard case .map = cbor else { throw Self.invalid("the credential public key is not a COSE_Key map") }
        guard let kty = cbor[int: 1]?.int, let algValue = cbor[int: 3]?.int else {
            throw Self.invalid("the credential public key has no kty or alg")
        }
        guard let algorithm = Algorithm(rawValue: algValue) else {
            throw WebAuthnRejection.unsupportedAlgorithm.error
        }
        self.algorithm = algorithm
        self.encoded = encoded
        switch (algorithm, kty) {
        case (.es256, 2):
            guard cbor[int: -1]?.int == 1, case .bytes(let x)? = cbor[int: -2], case .bytes(let y)? = cbor[int: -3],
                  x.count == 32, y.count == 32 else { throw Self.invalid("an ES256 key needs crv P-256 and 32-byte x and y") }
            let point = [0x04] + x + y
            guard (try? P256.Signing.PublicKey(x963Representation: point)) != nil else { throw Self.invalid("the P-256 point is not on the curve") }
            material = .p256(x963: point)
        case (.edDSA, 1):
            guard cbor[int: -1]?.int == 6, case .bytes(let x)? = cbor[int: -2], x.count == 32,
                  (try? Curve25519.Signing.PublicKey(rawRepresentation: x)) != nil else { throw Self.invalid("an EdDSA key needs crv Ed25519 and a 32-byte x") }
            material = .ed25519(raw: x)
        case (.rs256, 3):
            guard case .bytes(let n)? = cbor[int: -1], case .bytes(let e)? = cbor[int: -2], !n.isEmpty, !e.isEmpty,
                  (try? _RSA.Signing.PublicKey(n: n, e: e)) != nil else { throw Self.invalid("an RS256 key needs n and e of at least 2048 bits") }
            material = .rsa(n: n, e: e)
        default:
            throw Self.invalid("the key type does not match its algorithm")
        }
    }

    /// Parses a stored COSE_Key.
    public init(encoded: [UInt8]) throws(TandemError) {
        let item: CBOR
        do { item = try CBOR.decode(encoded) } catch { throw WebAuthnRejection.malformedPublicKey.error }
        try self.init(cbor: item, encoded: encoded)
    }

    /// Whether `signature` (as WebAuthn sends it: DER for ES256, raw for EdDSA and RS256) signs `message`.
    public func isValidSignature(_ signature: [UInt8], for message: [UInt8]) -> Bool {
        switch material {
        case .p256(let point):
            guard let key = try? P256.Signing.PublicKey(x963Representation: point),
                  let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
            return key.isValidSignature(parsed, for: message)
        case .ed25519(let raw):
            guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: raw) else { return false }
            return key.isValidSignature(signature, for: message)
        case .rsa(let n, let e):
            guard let key = try? _RSA.Signing.PublicKey(n: n, e: e) else { return false }
            return key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: message, padding: .insecurePKCS1v1_5)
        }
    }

    /// The reason is for reading here; the caller sees `malformedPublicKey`.
    static func invalid(_ reason: String) -> TandemError { WebAuthnRejection.malformedPublicKey.error }

    public static func == (lhs: COSEKey, rhs: COSEKey) -> Bool { lhs.encoded == rhs.encoded }
}
