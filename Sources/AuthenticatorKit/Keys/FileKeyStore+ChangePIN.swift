import Crypto
import Foundation
import TandemCore

extension FileKeyStore {
    /// Re-seals every PIN-protected key under `newPIN` at this store's cost for new keys
    /// (`newKeyParameters`): how a PIN chosen under the old rule (4 digits, scrypt 2^15) becomes a
    /// 6-digit PIN at scrypt 2^17 without registering again (decision 0011).
    ///
    /// The current PIN is proven once, on the first key, and counted like any attempt (wrong: one
    /// failure; locked: refused). `newPIN` follows `PINPolicy.validateNew`. Every key is opened
    /// before any file is written; each file is replaced atomically, the first key's last. If the
    /// process stops between two files, running the same change again finishes it: keys already
    /// re-sealed open with the new PIN.
    public func changePIN(from currentPIN: String, to newPIN: String) throws {
        let current = try PINPolicy.validate(currentPIN)
        let new = try PINPolicy.validateNew(newPIN)
        let files = try pinProtectedKeyFiles()
        guard let first = files.first else { throw AuthenticatorError(.keyNotFound, "there are no PIN-protected keys") }
        var opened: [(KeyFile, P256.Signing.PrivateKey)] = [(first, try unlock(first, pin: current))]
        for file in files.dropFirst() {
            guard let wrapped = file.wrapped else { throw KeyWrapping.damaged(file.label) }
            do {
                opened.append((file, try KeyWrapping.unwrap(wrapped, pin: current, label: file.label, publicKey: file.publicKey)))
            } catch is KeyWrapping.WrongPIN {
                do {
                    opened.append((file, try KeyWrapping.unwrap(wrapped, pin: new, label: file.label, publicKey: file.publicKey)))
                } catch is KeyWrapping.WrongPIN {
                    throw AuthenticatorError(.storage, "the key \(file.label) opens with neither PIN")
                }
            }
        }
        for (file, key) in opened.dropFirst() + opened.prefix(1) {
            var resealed = file
            resealed.wrapped = try KeyWrapping.wrap(key, pin: new, label: file.label, parameters: newKeyParameters)
            try SecureFile.writeFile(try encodeKeyFile(resealed), to: try keyURL(file.label))
        }
    }
}
