import Crypto
import Foundation
import TandemCore
import TandemServices

/// Seals the private signing keys at rest (the provider's, purpose `oidc`, and the admin API's,
/// purpose `admin`: one key ring, one secret key): AES-256-GCM under a key derived (HKDF-SHA256)
/// from the configured secret key, with the key id as additional data, so a sealed key cannot be
/// moved to another row. Text form: `v1.` + base64url(nonce ‖ ciphertext ‖ tag).
struct OIDCSecretBox: Sendable {
    let key: SymmetricKey

    init(secret: String) {
        key = HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Data(secret.utf8)), salt: Data("tandem".utf8),
                                     info: Data("tandem oidc signing keys v1".utf8), outputByteCount: 32)
    }

    func seal(_ plaintext: [UInt8], context: String, nonce: [UInt8]) throws -> String {
        let box = try AES.GCM.seal(plaintext, using: key, nonce: try AES.GCM.Nonce(data: nonce), authenticating: Array(context.utf8))
        guard let combined = box.combined else { throw TandemError(.unavailable, "Sealing failed.") }
        return "v1." + Base64URL.encode(combined)
    }

    /// The plaintext, or `nil` when the text is damaged or was sealed under another secret key.
    func open(_ text: String, context: String) -> [UInt8]? {
        guard text.hasPrefix("v1."), let combined = Base64URL.decode(String(text.dropFirst(3))),
              let box = try? AES.GCM.SealedBox(combined: combined),
              let plaintext = try? AES.GCM.open(box, using: key, authenticating: Array(context.utf8))
        else { return nil }
        return Array(plaintext)
    }
}

/// Where the secret key that seals the signing keys comes from (`tandem serve --secret-key`,
/// `TANDEM_SECRET_KEY`, or a file made on first start).
public enum OIDCSecretKey {
    /// The shortest accepted secret key, in characters (a generated one is 43: 32 random bytes).
    public static let minimumLength = 32

    /// Without a configured secret key (tests, an embedded server), one random key for this
    /// process only, shared by the OIDC and admin key rings: what it sealed cannot be opened
    /// once the process ends, so those keys are replaced then.
    public static let processDefault: String = Base64URL.encode(SystemRandomSource().bytes(32))

    /// The file beside a SQLite database (`tandem.sqlite` → `tandem.secret-key`); for a
    /// PostgreSQL URL, `tandem.secret-key` in the current folder.
    public static func defaultPath(databasePath: String) -> String {
        guard !databasePath.hasPrefix("postgres://"), !databasePath.hasPrefix("postgresql://") else { return "tandem.secret-key" }
        let url = URL(fileURLWithPath: databasePath)
        return url.deletingPathExtension().appendingPathExtension("secret-key").path
    }

    /// The secret key: `explicit` if given, else the file's, creating the file (mode 0600, never
    /// overwritten) with 32 random bytes when it does not exist. Returns whether it was created.
    public static func resolve(explicit: String?, file: String, random: any RandomSource) throws -> (secret: String, created: Bool) {
        if let explicit, !explicit.isEmpty {
            guard explicit.count >= minimumLength else { throw TandemError(.badRequest, "--secret-key must be at least \(minimumLength) characters.") }
            return (explicit, false)
        }
        if let data = FileManager.default.contents(atPath: file) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard text.count >= minimumLength else { throw TandemError(.badRequest, "The secret key in \(file) is shorter than \(minimumLength) characters.") }
            return (text, false)
        }
        let secret = Base64URL.encode(random.bytes(32))
        let descriptor = open(file, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            if errno == EEXIST { return try resolve(explicit: nil, file: file, random: random) }
            throw TandemError(.unavailable, "Cannot create the secret key file \(file) (errno \(errno)).")
        }
        defer { close(descriptor) }
        let bytes = Array((secret + "\n").utf8)
        guard write(descriptor, bytes, bytes.count) == bytes.count else { throw TandemError(.unavailable, "Cannot write \(file).") }
        return (secret, true)
    }
}
