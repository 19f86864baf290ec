import Crypto
import Foundation
import TandemCore

/// A `KeyStore` in files: one JSON file per key (`<label>.key`, mode 0600) in a folder (0700).
///
/// - A `.none` key (the device key) is stored as its raw private scalar: the file's permissions
///   are its only protection, as the protocol intends.
/// - A `.pin` key (approval, phone sign-in) is stored **only** sealed: AES-256-GCM under a key
///   derived from the PIN with scrypt. The salt and scrypt parameters are in the file, so keys
///   made with cheaper or older parameters still open. New keys use `ScryptParameters.standard`
///   unless the store is built with other parameters (tests: `TANDEM_AUTHENTICATOR_TEST_KDF=1`).
/// - Every PIN attempt is counted in `pin-attempts.json` **before** the key is tried, so killing
///   the process mid-attempt does not save a guess; a right PIN resets the count. After
///   `PINPolicy.maxWrongAttempts` consecutive wrong PINs every PIN-protected operation is refused,
///   even with the right PIN. The count is shared by every key and process using the folder.
public struct FileKeyStore: KeyStore {
    /// The folder holding the key files.
    public let folder: URL
    /// The scrypt cost used when sealing new keys.
    public let newKeyParameters: ScryptParameters

    /// Creates a store over `folder` (created on first write). By default new keys use
    /// `ScryptParameters.forNewKeys(environment:)` of this process's environment.
    public init(folder: URL, newKeyParameters: ScryptParameters? = nil) {
        self.folder = folder
        self.newKeyParameters = newKeyParameters ?? .forNewKeys(environment: ProcessInfo.processInfo.environment)
    }

    public func createKey(label: String, protection: KeyProtection, pin: String?) throws -> String {
        let url = try keyURL(label)
        let privateKey = P256.Signing.PrivateKey()
        let publicKey = DeviceSignature.encode(privateKey.publicKey)
        var file = KeyFile(version: 1, label: label, protection: protection, publicKey: publicKey)
        switch protection {
        case .none:
            file.privateKey = Base64URL.encode(privateKey.rawRepresentation)
        case .pin:
            let checked: String
            if let existing = try pinProtectedKeyFiles().first {
                checked = try PINPolicy.validate(pin)
                _ = try unlock(existing, pin: checked)
            } else {
                checked = try PINPolicy.validateNew(pin)  // the store's first PIN
            }
            file.wrapped = try KeyWrapping.wrap(privateKey, pin: checked, label: label, parameters: newKeyParameters)
        }
        try SecureFile.ensureDirectory(folder)
        try SecureFile.writeFile(try encode(file), to: url, exclusive: true)
        return publicKey
    }

    public func publicKey(label: String) throws -> String {
        try loadKeyFile(label).publicKey
    }

    public func sign(_ bytes: [UInt8], label: String, pin: String?) throws -> String {
        let file = try loadKeyFile(label)
        let privateKey: P256.Signing.PrivateKey
        switch file.protection {
        case .none:
            guard let encoded = file.privateKey, let raw = Base64URL.decode(encoded),
                  let key = try? P256.Signing.PrivateKey(rawRepresentation: raw)
            else { throw KeyWrapping.damaged(label) }
            privateKey = key
        case .pin:
            privateKey = try unlock(file, pin: try PINPolicy.validate(pin))
        }
        do {
            return try DeviceSignature.sign(bytes, with: privateKey)
        } catch {
            throw AuthenticatorError(.storage, "cannot sign with \(label)")
        }
    }

    public func deleteKey(label: String) throws {
        try SecureFile.remove(try keyURL(label))
    }

    public func hasPINProtectedKeys() throws -> Bool {
        try !pinProtectedKeyFiles().isEmpty
    }

    /// The number of consecutive wrong PINs so far.
    public func wrongPINCount() throws -> Int {
        try readFailures()
    }

    /// Whether too many wrong PINs have locked the PIN-protected keys.
    public func isLocked() throws -> Bool {
        try readFailures() >= PINPolicy.maxWrongAttempts
    }

    /// Opens a PIN-protected key, counting the attempt first and resetting the count on success.
    func unlock(_ file: KeyFile, pin: String) throws -> P256.Signing.PrivateKey {
        guard let wrapped = file.wrapped else { throw KeyWrapping.damaged(file.label) }
        try SecureFile.ensureDirectory(folder)
        return try SecureFile.withLock(lockURL) {
            let failures = try readFailures()
            guard failures < PINPolicy.maxWrongAttempts else { throw Self.lockedError }
            try writeFailures(failures + 1)
            do {
                let key = try KeyWrapping.unwrap(wrapped, pin: pin, label: file.label, publicKey: file.publicKey)
                try writeFailures(0)
                return key
            } catch is KeyWrapping.WrongPIN {
                let left = PINPolicy.maxWrongAttempts - (failures + 1)
                guard left > 0 else { throw Self.lockedError }
                let plural = left == 1 ? "attempt" : "attempts"
                throw AuthenticatorError(.wrongPIN, "wrong PIN (\(left) \(plural) left)", remainingAttempts: left)
            } catch {
                try? writeFailures(failures)  // not a guess: a damaged file
                throw error
            }
        }
    }

    static let lockedError = AuthenticatorError(
        .locked,
        "too many wrong PINs: this authenticator's PIN-protected keys are locked; remove it and add your accounts again")

    // MARK: Files

    private var lockURL: URL { folder.appendingPathComponent(".lock") }
    private var attemptsURL: URL { folder.appendingPathComponent("pin-attempts.json") }

    func keyURL(_ label: String) throws -> URL {
        guard (1...128).contains(label.utf8.count), !label.hasPrefix("."),
              label.utf8.allSatisfy({ Base64URL.isAlphabet($0) || $0 == UInt8(ascii: ".") })
        else { throw AuthenticatorError(.invalidLabel, "invalid key label") }
        return folder.appendingPathComponent(label + ".key")
    }

    func loadKeyFile(_ label: String) throws -> KeyFile {
        guard let bytes = try SecureFile.readFile(try keyURL(label)) else {
            throw AuthenticatorError(.keyNotFound, "no key \(label)")
        }
        guard let file = try? JSONDecoder().decode(KeyFile.self, from: Data(bytes)), file.version == 1, file.label == label else {
            throw KeyWrapping.damaged(label)
        }
        return file
    }

    func pinProtectedKeyFiles() throws -> [KeyFile] {
        try SecureFile.list(folder)
            .filter { $0.hasSuffix(".key") && !$0.hasPrefix(".") }
            .compactMap { try? loadKeyFile(String($0.dropLast(4))) }
            .filter { $0.protection == .pin }
    }

    func encodeKeyFile(_ file: KeyFile) throws -> [UInt8] {
        try encode(file)
    }

    private func encode(_ file: KeyFile) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        return Array(try encoder.encode(file))
    }

    private struct Attempts: Codable {
        var consecutiveFailures: Int
    }

    /// A damaged counter fails closed: it reads as locked.
    private func readFailures() throws -> Int {
        guard let bytes = try SecureFile.readFile(attemptsURL) else { return 0 }
        guard let attempts = try? JSONDecoder().decode(Attempts.self, from: Data(bytes)), attempts.consecutiveFailures >= 0 else {
            return PINPolicy.maxWrongAttempts
        }
        return attempts.consecutiveFailures
    }

    private func writeFailures(_ count: Int) throws {
        try SecureFile.writeFile(Array(try JSONEncoder().encode(Attempts(consecutiveFailures: count))), to: attemptsURL)
    }
}
