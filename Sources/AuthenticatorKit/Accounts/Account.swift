import Foundation

/// One registration of this authenticator with a Tandem server: a user, a device id, and the
/// labels of the keys that belong to it in the `KeyStore`.
public struct Account: Codable, Sendable, Equatable, Identifiable {
    /// The device id the server assigned at activation.
    public var deviceId: String
    /// The user's object id.
    public var userId: String
    /// The user's sign-in name (`alice@example.com`).
    public var userPrincipalName: String
    /// The user's display name.
    public var displayName: String
    /// The server's base URL: everything before `/device/v1/…`.
    public var serverURL: URL
    /// Label of the device ("channel") key: push channel, `GET pending`, deny and report.
    public var deviceKeyLabel: String
    /// Label of the PIN-protected approval key: approvals of `mfa` and `registration` requests.
    public var approvalKeyLabel: String
    /// Label of the PIN-protected phone sign-in key, while phone sign-in is on.
    public var phoneSignInKeyLabel: String?
    /// Whether passwordless phone sign-in is on for this device.
    public var phoneSignInEnabled: Bool
    /// Label of the verification-code (TOTP) secret in the `OATHSecretStore`, when the server
    /// issued one at activation.
    public var totpSecretLabel: String?
    /// When the account was added on this device.
    public var createdAt: Date

    /// The device id.
    public var id: String { deviceId }

    /// Creates an account.
    public init(deviceId: String, userId: String, userPrincipalName: String, displayName: String, serverURL: URL,
                deviceKeyLabel: String, approvalKeyLabel: String, phoneSignInKeyLabel: String? = nil,
                phoneSignInEnabled: Bool = false, totpSecretLabel: String? = nil, createdAt: Date) {
        self.deviceId = deviceId
        self.userId = userId
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.serverURL = serverURL
        self.deviceKeyLabel = deviceKeyLabel
        self.approvalKeyLabel = approvalKeyLabel
        self.phoneSignInKeyLabel = phoneSignInKeyLabel
        self.phoneSignInEnabled = phoneSignInEnabled
        self.totpSecretLabel = totpSecretLabel
        self.createdAt = createdAt
    }
}
