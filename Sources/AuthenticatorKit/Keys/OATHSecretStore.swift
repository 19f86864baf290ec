import TandemCore

/// Where the authenticator keeps verification-code (TOTP) secrets, one per account.
///
/// Unlike the PIN-protected keys, a TOTP secret is protected like the device key: by the
/// platform only (a 0600 file here; on iOS a Keychain item `…WhenUnlockedThisDeviceOnly`, on
/// Android a Keystore-encrypted preference), so the app shows codes without its PIN once the
/// phone is unlocked, as Microsoft Authenticator does. See `docs/decisions/0005-qr-and-totp.md`.
public protocol OATHSecretStore: Sendable {
    /// Saves `totp` under `label`; throws `.keyExists` if the label is taken.
    func saveTOTP(_ totp: TOTP, label: String) throws

    /// The generator saved under `label`; throws `.keyNotFound`.
    func totp(label: String) throws -> TOTP

    /// Deletes the secret under `label`; deleting a missing one is not an error.
    func deleteTOTP(label: String) throws
}
