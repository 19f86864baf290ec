import Crypto
import Foundation

/// ECDSA P-256 with SHA-256; signatures travel as the 64-byte raw `r||s`, base64url-encoded,
/// public keys as the 65-byte X9.63 uncompressed point, base64url-encoded.
public enum DeviceSignature {
    /// Parses a base64url X9.63 public key.
    public static func publicKey(_ encoded: String) -> P256.Signing.PublicKey? {
        guard let bytes = Base64URL.decode(encoded), bytes.count == 65 else { return nil }
        return try? P256.Signing.PublicKey(x963Representation: bytes)
    }

    /// Whether `signature` (base64url raw r||s) is valid for `bytes` under `publicKey` (base64url X9.63).
    public static func isValid(signature: String, bytes: [UInt8], publicKey: String) -> Bool {
        guard let key = Self.publicKey(publicKey),
              let raw = Base64URL.decode(signature), raw.count == 64,
              let parsed = try? P256.Signing.ECDSASignature(rawRepresentation: raw)
        else { return false }
        return key.isValidSignature(parsed, for: bytes)
    }

    /// Signs `bytes`, returning base64url raw r||s.
    public static func sign(_ bytes: [UInt8], with key: P256.Signing.PrivateKey) throws -> String {
        Base64URL.encode(try key.signature(for: bytes).rawRepresentation)
    }

    /// Encodes a public key as base64url X9.63.
    public static func encode(_ key: P256.Signing.PublicKey) -> String {
        Base64URL.encode(key.x963Representation)
    }
}
