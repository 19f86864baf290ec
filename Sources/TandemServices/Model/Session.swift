import Foundation

/// A signed-in browser session.
public struct Session: Sendable, Equatable {
    /// SHA-256 of the session cookie's token.
    public var id: String
    public var userID: String
    /// RFC 8176 method references: `pwd`, `mfa`, `swk`, `hwk`, `pin`.
    public var methods: [String]
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, userID: String, methods: [String], createdAt: Date, expiresAt: Date) {
        self.id = id
        self.userID = userID
        self.methods = methods
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
