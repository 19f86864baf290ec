/// Where the authenticator keeps its P-256 keys.
///
/// This is the seam for a phone app: `FileKeyStore` keeps keys in files with PIN-wrapped private
/// keys; an iOS app can implement it over the Secure Enclave (`.pin` → an access control that
/// requires the passcode or biometrics), an Android app over the StrongBox keystore. Public keys
/// are base64url X9.63 and signatures base64url raw `r||s`, as on the wire (`DeviceSignature`).
///
/// All PIN-protected keys of one store share one PIN (the app's PIN) and one counter of wrong
/// PINs.
public protocol KeyStore: Sendable {
    /// Creates a new P-256 key under `label` and returns its public key.
    ///
    /// A `.pin` key needs `pin`; when the store already holds PIN-protected keys, `pin` must be
    /// the store's PIN (a wrong one counts as a failed attempt). Throws `.keyExists` if the label
    /// is taken.
    func createKey(label: String, protection: KeyProtection, pin: String?) throws -> String

    /// The public key stored under `label`.
    func publicKey(label: String) throws -> String

    /// Signs `bytes` with the key under `label`; a `.pin` key needs the PIN.
    ///
    /// Throws `.wrongPIN` (and counts it), `.locked` after too many wrong PINs, `.keyNotFound`.
    func sign(_ bytes: [UInt8], label: String, pin: String?) throws -> String

    /// Deletes the key under `label`; deleting a missing key is not an error.
    func deleteKey(label: String) throws

    /// Whether the store holds at least one PIN-protected key (so a PIN has been chosen).
    func hasPINProtectedKeys() throws -> Bool
}
