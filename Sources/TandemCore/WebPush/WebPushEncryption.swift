import Crypto
import Foundation

/// Message encryption for Web Push (RFC 8291) in the `aes128gcm` content coding (RFC 8188): an
/// ECDH P-256 agreement between a one-time application-server key and the subscription's
/// `p256dh` key, mixed with the subscription's 16-byte auth secret by HKDF-SHA-256, then one
/// AES-128-GCM record. Pure: the one-time key and the salt are passed in (the sender draws both
/// from the CSPRNG for every message; reusing either with the same subscription breaks the scheme).
public enum WebPushEncryption {
    /// The record size written in the header (RFC 8188 §2.1). One record always suffices for
    /// Tandem's payloads (a few dozen bytes); RFC 8291 §4 caps the whole body at 4096 bytes.
    public static let recordSize: UInt32 = 4096
    /// The longest plaintext one record of `recordSize` holds: the record minus the 16-byte tag
    /// and the 1-byte delimiter, and minus the 86-byte header so the body stays within 4096 bytes.
    public static let maximumPlaintext = Int(recordSize) - 16 - 1 - 86

    /// Encrypts `plaintext` for a subscription.
    /// - Parameters:
    ///   - userAgentPublicKey: the subscription's `p256dh`: a 65-byte X9.63 uncompressed P-256 point.
    ///   - authSecret: the subscription's `auth`: 16 bytes.
    ///   - ephemeralKey: a fresh key pair for this message only (its public half goes in the header).
    ///   - salt: 16 fresh random bytes for this message only.
    /// - Returns: the message body: header (salt ‖ rs ‖ idlen ‖ keyid) ‖ ciphertext ‖ tag.
    public static func encrypt(_ plaintext: [UInt8], userAgentPublicKey: [UInt8], authSecret: [UInt8],
                               ephemeralKey: P256.KeyAgreement.PrivateKey, salt: [UInt8]) throws -> [UInt8] {
        guard authSecret.count == 16 else { throw TandemError(.badRequest, "The auth secret must be 16 bytes.") }
        guard salt.count == 16 else { throw TandemError(.badRequest, "The salt must be 16 bytes.") }
        guard plaintext.count <= maximumPlaintext else { throw TandemError(.badRequest, "The push message is too long.") }
        let userAgentKey = try WebPushKeys.publicKey(userAgentPublicKey)
        let applicationServerPublic = Array(ephemeralKey.publicKey.x963Representation)
        let shared = try ephemeralKey.sharedSecretFromKeyAgreement(with: userAgentKey)

        // RFC 8291 §3.4: IKM = HKDF(salt = auth_secret, IKM = ecdh_secret, info = key_info, L = 32).
        let keyInfo = Array("WebPush: info".utf8) + [0] + Array(userAgentKey.x963Representation) + applicationServerPublic
        let ikm = shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: authSecret, sharedInfo: keyInfo, outputByteCount: 32)
        // RFC 8188 §2.2-2.3: PRK = HKDF-Extract(salt, IKM); CEK and NONCE by HKDF-Expand.
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: salt)
        let cek = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: aes128gcm".utf8) + [0], outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: nonce".utf8) + [0], outputByteCount: 12)
        // One record, the last: the plaintext, then the delimiter 0x02 and no padding (RFC 8188 §2).
        let sealed = try AES.GCM.seal(plaintext + [2], using: cek, nonce: try AES.GCM.Nonce(data: nonce.withUnsafeBytes { Array($0) }))

        var body = salt
        withUnsafeBytes(of: recordSize.bigEndian) { body += $0 }
        body.append(UInt8(applicationServerPublic.count))
        body += applicationServerPublic
        body += sealed.ciphertext
        body += sealed.tag
        return body
    }
}

/// Checks of a push subscription's keys (`PushSubscription.getKey`, base64url on the wire).
public enum WebPushKeys {
    /// The `p256dh` key as a P-256 public key: exactly a 65-byte uncompressed point on the curve.
    public static func publicKey(_ bytes: [UInt8]) throws -> P256.KeyAgreement.PublicKey {
        guard bytes.count == 65, bytes.first == 0x04, let key = try? P256.KeyAgreement.PublicKey(x963Representation: bytes) else {
            throw TandemError(.badRequest, "keys.p256dh is not a P-256 public key (65-byte uncompressed point, base64url).")
        }
        return key
    }

    /// Whether `bytes` can be an auth secret (16 bytes, RFC 8291 §2).
    public static func isAuthSecret(_ bytes: [UInt8]) -> Bool { bytes.count == 16 }
}
