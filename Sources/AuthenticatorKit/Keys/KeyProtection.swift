/// How a key is protected on the device.
public enum KeyProtection: String, Codable, Sendable, CaseIterable {
    /// No protection beyond the file's permissions or the keychain: the device ("channel") key.
    case none
    /// Usable only with the app's PIN: the approval and phone sign-in keys.
    case pin
}
