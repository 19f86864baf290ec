import Foundation
import TandemCore

/// TOTP secrets next to the keys: `<label>.oath`, mode 0600, in the keys folder (0700). Not
/// sealed under the PIN (see `OATHSecretStore`).
extension FileKeyStore: OATHSecretStore {
    /// The JSON content of one `.oath` file.
    struct OATHFile: Codable {
        /// The format version, 1.
        var version: Int
        var label: String
        var algorithm: TOTP.Algorithm
        var digits: Int
        var period: Int
        /// Base32, unpadded.
        var secret: String
    }

    public func saveTOTP(_ totp: TOTP, label: String) throws {
        let url = try oathURL(label)
        let file = OATHFile(version: 1, label: label, algorithm: totp.algorithm, digits: totp.digits,
                            period: totp.period, secret: totp.base32Secret)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        try SecureFile.ensureDirectory(folder)
        try SecureFile.writeFile(Array(try encoder.encode(file)), to: url, exclusive: true)
    }

    public func totp(label: String) throws -> TOTP {
        guard let bytes = try SecureFile.readFile(try oathURL(label)) else {
            throw AuthenticatorError(.keyNotFound, "no verification-code secret \(label)")
        }
        guard let file = try? JSONDecoder().decode(OATHFile.self, from: Data(bytes)), file.version == 1, file.label == label,
              let secret = Base32.decode(file.secret),
              let totp = try? TOTP(secret: secret, digits: file.digits, period: file.period, algorithm: file.algorithm)
        else { throw AuthenticatorError(.storage, "the verification-code secret \(label) is damaged") }
        return totp
    }

    public func deleteTOTP(label: String) throws {
        try SecureFile.remove(try oathURL(label))
    }

    func oathURL(_ label: String) throws -> URL {
        try keyURL(label).deletingPathExtension().appendingPathExtension("oath")
    }
}
