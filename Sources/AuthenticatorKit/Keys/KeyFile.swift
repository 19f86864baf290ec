/// The JSON content of one key file of `FileKeyStore`.
struct KeyFile: Codable, Sendable {
    /// The format version, 1.
    var version: Int
    var label: String
    var protection: KeyProtection
    /// Base64url X9.63.
    var publicKey: String
    /// `.none` keys only: the raw 32-byte private scalar, base64url.
    var privateKey: String?
    /// `.pin` keys only: the private key sealed under a key derived from the PIN.
    var wrapped: WrappedKey?
}

/// A private key sealed with AES-256-GCM under a key derived from the PIN by scrypt.
struct WrappedKey: Codable, Sendable {
    /// Always `"scrypt"`.
    var kdf: String
    /// 16 random bytes, base64url.
    var salt: String
    var parameters: ScryptParameters
    /// AES-GCM `nonce || ciphertext || tag`, base64url. The additional data binds the label and
    /// public key, so a sealed key cannot be moved to another label.
    var sealed: String
}
