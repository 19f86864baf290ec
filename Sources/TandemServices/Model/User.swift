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

    public init(id: String, userPrincipalName: String, displayName: String, passwordHash: String?,
                accountEnabled: Bool = true, createdAt: Date, lastNumber: String? = nil, pushFailures: Int = 0) {
        self.id = id
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.passwordHash = passwordHash
        self.accountEnabled = accountEnabled
        self.createdAt = createdAt
        self.lastNumber = lastNumber
        self.pushFailures = pushFailures
    }
}
