import TandemCore
import Foundation

/// Where a registered authenticator is in its life.
public enum DeviceState: String, Sendable, Codable {
    /// Activated but its confirmation push is not approved yet: receives only that push.
    case unconfirmed
    /// Receives sign-in requests.
    case active
    /// Deleted: refused everywhere.
    case removed
}

/// A registered authenticator (one phone app installation for one account).
public struct Device: Sendable, Equatable {
    public var id: String
    public var userID: String
    public var name: String
    public var appVersion: String
    /// Channel key: push channel, signed requests, deny and report.
    public var deviceKey: String
    /// PIN-protected approval key: approves MFA and registration pushes.
    public var approvalKey: String
    /// PIN-protected phone sign-in key; `nil` while phone sign-in is off.
    public var phoneSignInKey: String?
    public var state: DeviceState
    public var createdAt: Date
    public var lastUsedAt: Date?
    /// `app` (an approval key behind a PIN) or `web` (an approval passkey; `approvalKey` is empty).
    public var platform: DevicePlatform
    /// A web device's approval passkey, once registered. Written only by
    /// `WebAuthenticatorStore` (never by `updateDevice`), so a stale copy cannot roll its counter back.
    public var approvalPasskey: ApprovalPasskey?
    /// A web device's open passkey-registration challenge (cleared when the passkey registers).
    public var approvalPasskeyChallenge: ApprovalPasskeyChallenge?

    public init(id: String, userID: String, name: String, appVersion: String, deviceKey: String, approvalKey: String,
                phoneSignInKey: String? = nil, state: DeviceState, createdAt: Date, lastUsedAt: Date? = nil,
                platform: DevicePlatform = .app, approvalPasskey: ApprovalPasskey? = nil,
                approvalPasskeyChallenge: ApprovalPasskeyChallenge? = nil) {
        self.id = id
        self.userID = userID
        self.name = name
        self.appVersion = appVersion
        self.deviceKey = deviceKey
        self.approvalKey = approvalKey
        self.phoneSignInKey = phoneSignInKey
        self.state = state
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
        self.platform = platform
        self.approvalPasskey = approvalPasskey
        self.approvalPasskeyChallenge = approvalPasskeyChallenge
    }

    /// Whether this device may answer a challenge of `kind`.
    public func mayAnswer(_ kind: ChallengeKind) -> Bool {
        switch kind {
        case .registration: return state == .unconfirmed
        case .mfa: return state == .active
        case .passwordless: return state == .active && phoneSignInKey != nil
        }
    }
}

/// What kind of authenticator a device is (`docs/push-protocol.md`, version 3).
public enum DevicePlatform: String, Sendable, Codable {
    /// `AuthenticatorKit` (the CLI, native apps): approvals signed by the PIN-protected approval key.
    case app
    /// The web authenticator: a non-extractable WebCrypto device key, approvals proven by a
    /// platform passkey's assertion with user verification.
    case web
}

/// A web device's approval passkey: the WebAuthn credential whose assertion (with UV) every
/// approval of the device carries.
public struct ApprovalPasskey: Sendable, Equatable {
    /// The credential id, base64url (unique across devices).
    public var credentialID: String
    /// The COSE_Key, base64url, as the authenticator sent it.
    public var publicKey: String
    /// The last signature counter accepted (0 for authenticators that do not count).
    public var signCount: Int64
    /// BE at registration (fixed for the credential's life).
    public var backupEligible: Bool
    public var registeredAt: Date

    public init(credentialID: String, publicKey: String, signCount: Int64, backupEligible: Bool, registeredAt: Date) {
        self.credentialID = credentialID
        self.publicKey = publicKey
        self.signCount = signCount
        self.backupEligible = backupEligible
        self.registeredAt = registeredAt
    }
}

/// The challenge for a web device's passkey registration: random, single use, server-side expiry.
public struct ApprovalPasskeyChallenge: Sendable, Equatable {
    /// 32 bytes, base64url. Never logged.
    public var challenge: String
    public var expiresAt: Date

    public init(challenge: String, expiresAt: Date) {
        self.challenge = challenge
        self.expiresAt = expiresAt
    }
}
