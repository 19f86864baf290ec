import Crypto

/// How bearer secrets (session tokens, flow tokens, activation codes) are kept at rest: only their
/// SHA-256 digest is stored, so lookup by digest never compares the secret itself.
public enum SecretDigest {
    /// The base64url SHA-256 digest of a secret's UTF-8 bytes.
    public static func of(_ secret: String) -> String {
        Base64URL.encode(SHA256.hash(data: Array(secret.utf8)))
    }
}
