import Foundation

/// A person in the directory.
public struct User: Sendable, Equatable {
    /// Graph-shaped object id (UUID string).
    public var id: String
    /// Sign-in name, unique, compared case-insensitively.
    public var userPrincipalName: String
    public var displayName: String
    /// bcrypt hash; `nil` for a user without a password.
    public var passwordHash: String?
    public var accountEnabled: Bool
    public var createdAt: Date
    /// The last number shown to this user, so the next one differs. Secret: never logged.
    public var lastNumber: String?
    /// Push failures (wrong number, denial) since the last approval; a new request never resets it.
    public var pushFailures: Int
    /// Legacy per-user MFA state.
    public var mfaState: MFAState
    /// The method the user chose for MFA (`push` or `oath`), `nil` for the system's choice.
    public var preferredMethod: String?

    public init(id: String, userPrincipalName: String, displayName: String, passwordHash: String?,
                accountEnabled: Bool = true, createdAt: Date, lastNumber: String? = nil, pushFailures: Int = 0,
                mfaState: MFAState = .disabled, preferredMethod: String? = nil) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.accountEnabled = accountEnabled
        self.createdAt = createdAt
        self.lastNumber = lastNumber
        self.pushFailures = pushFailures
        self.mfaState = mfaState
        self.preferredMethod = preferredMethod
    }
}

/// The legacy per-user MFA state (the old "multi-factor authentication" users page).
public enum MFAState: String, Sendable, Codable, CaseIterable {
    /// Not registered for per-user MFA.
    case disabled
    /// Enrolled: MFA at sign-in once a method is registered; registration is asked for.
    case enabled
    /// MFA required at every sign-in.
    case enforced
}
