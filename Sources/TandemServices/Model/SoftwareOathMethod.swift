import Foundation

/// A code generator in an authenticator app of the user's choice (Google Authenticator, Microsoft
/// Authenticator, `oathtool`), Graph's `softwareOathAuthenticationMethod` (issue 12, decision 0031).
/// It starts `pending` with an expiry when the security-info page shows its QR code, and becomes
/// `active` only when the first code from the app is right.
public struct SoftwareOathMethod: Sendable, Equatable {
    public enum State: String, Sendable {
        case pending, active
    }

    /// Tandem's id for the method (UUID-shaped, the Graph object id).
    public var id: String
    public var userID: String
    /// The base32 secret as stored: sealed with the server's secret key (`sealed1.` text) when the
    /// server has one. Secret: never logged, never returned by Graph.
    public var secret: String
    public var state: State
    /// What the security-info page calls it.
    public var name: String
    public var createdAt: Date
    /// Until when a pending method may be confirmed (server clock); `nil` once active.
    public var expiresAt: Date?
    /// The last step a code was accepted for (replays of it or earlier steps are refused).
    public var lastUsedStep: Int64?
    public var lastUsedAt: Date?

    public init(id: String, userID: String, secret: String, state: State, name: String, createdAt: Date,
                expiresAt: Date?, lastUsedStep: Int64? = nil, lastUsedAt: Date? = nil) {
        self.id = id
        self.userID = userID
        self.secret = secret
        self.state = state
        self.name = name
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.lastUsedStep = lastUsedStep
        self.lastUsedAt = lastUsedAt
    }
}
