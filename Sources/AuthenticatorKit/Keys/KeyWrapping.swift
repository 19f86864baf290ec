import Crypto
import _CryptoExtras
import Foundation
import TandemCore

/// Seals and opens private keys under a PIN: scrypt(PIN, salt) → AES-256-GCM.
enum KeyWrapping {
    /// The PIN did not open the sealed key (the GCM tag did not verify).
    struct WrongPIN: Error {}

    /// Seals `privateKey` (raw 32 bytes) under `pin` with a fresh random salt and nonce.
    static func wrap(_ privateKey: P256.Signing.PrivateKey, pin: String, label: String, parameters: ScryptParameters) throws -> WrappedKey {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let key = try deriveKey(pin: pin, salt: salt, parameters: parameters)
        let publicKey = DeviceSignature.encode(privateKey.publicKey)
        let box = try AES.GCM.seal(privateKey.rawRepresentation, using: key,
                                   authenticating: additionalData(label: label, publicKey: publicKey))
        guard let combined = box.combined else { throw AuthenticatorError(.storage, "cannot seal the key") }
        return WrappedKey(kdf: "scrypt", salt: Base64URL.encode(salt), parameters: parameters, sealed: Base64URL.encode(combined))
    }

    /// Opens a sealed key; throws `WrongPIN` when the PIN is wrong, `.storage` when the file is damaged.
    static func unwrap(_ wrapped: WrappedKey, pin: String, label: String, publicKey: String) throws -> P256.Signing.PrivateKey {
        guard wrapped.kdf == "scrypt", wrapped.parameters.isAcceptable,
              let salt = Base64URL.decode(wrapped.salt), salt.count >= 16,
              let sealed = Base64URL.decode(wrapped.sealed),
              let box = try? AES.GCM.SealedBox(combined: sealed)
        else { throw damaged(label) }
        let key = try deriveKey(pin: pin, salt: salt, parameters: wrapped.parameters)
        let raw: Data
        do {
            raw = try AES.GCM.open(box, using: key, authenticating: additionalData(label: label, publicKey: publicKey))
        } catch {
            // The box parsed and the key was derived, so a failure here is the GCM tag: a wrong
            // PIN. (BoringSSL-backed swift-crypto reports it as `underlyingCoreCryptoError`,
            // Apple's CryptoKit as `authenticationFailure`.)
            throw WrongPIN()
        }
        guard let privateKey = try? P256.Signing.PrivateKey(rawRepresentation: raw),
              DeviceSignature.encode(privateKey.publicKey) == publicKey
        else { throw damaged(label) }
        return privateKey
    }

    static func deriveKey(pin: String, salt: [UInt8], parameters: ScryptParameters) throws -> SymmetricKey {
        do {
            return try KDF.Scrypt.deriveKey(
                from: Array(pin.utf8), salt: salt, outputByteCount: 32,
                rounds: parameters.rounds, blockSize: parameters.blockSize, parallelism: parameters.parallelism)
        } catch {
            throw AuthenticatorError(.storage, "cannot derive the key from the PIN")
        }
    }

    static func additionalData(label: String, publicKey: String) -> [UInt8] {
        Array("tandem-wrapped-key/v1\nlabel=\(label)\nkey=\(publicKey)\n".utf8)
    }

    static func damaged(_ label: String) -> AuthenticatorError {
        AuthenticatorError(.storage, "the key file for \(label) is damaged")
    }
}
