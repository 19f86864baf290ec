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

    public init(id: String, userID: String, name: String, appVersion: String, deviceKey: String, approvalKey: String,
                phoneSignInKey: String? = nil, state: DeviceState, createdAt: Date, lastUsedAt: Date? = nil) {
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
