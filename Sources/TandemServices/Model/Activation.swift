import Foundation

/// A one-time activation code issued on the security-info page to add an authenticator.
public struct Activation: Sendable, Equatable {
    public var id: String
    public var userID: String
    /// SHA-256 of the code (`SecretDigest`); the code itself is never stored.
    public var codeDigest: String
    public var createdAt: Date
    public var expiresAt: Date
    public var usedAt: Date?
    /// The device created by redeeming the code.
    public var deviceID: String?
    /// The confirmation push sent to that device.
    public var challengeID: String?

    public init(id: String, userID: String, codeDigest: String, createdAt: Date, expiresAt: Date,
                usedAt: Date? = nil, deviceID: String? = nil, challengeID: String? = nil) {
        self.id = id
        self.userID = userID
        self.codeDigest = codeDigest
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.usedAt = usedAt
        self.deviceID = deviceID
        self.challengeID = challengeID
    }
}
