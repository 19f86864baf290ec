import Foundation

/// A Temporary Access Pass: a time-limited passcode an administrator issues so a user can sign in
/// (without a password) and register the authenticator. Only a bcrypt hash of the pass is kept.
public struct TemporaryAccessPass: Sendable, Equatable {
    public var id: String
    public var userID: String
    /// bcrypt hash of the pass (the `PasswordHasher`). Secret: never logged.
    public var passHash: String
    public var createdAt: Date
    /// When the pass starts to work.
    public var startAt: Date
    /// Minutes it works from `startAt` (10 to 43 200, Graph's range).
    public var lifetimeMinutes: Int
    /// Works for one sign-in only.
    public var isUsableOnce: Bool
    /// When a one-time pass was used.
    public var usedAt: Date?
    /// Who issued it (user id), `nil` for the command line or the first start.
    public var createdBy: String?

    public init(id: String, userID: String, passHash: String, createdAt: Date, startAt: Date, lifetimeMinutes: Int,
                isUsableOnce: Bool, usedAt: Date? = nil, createdBy: String? = nil) {
        self.id = id
        self.userID = userID
        self.passHash = passHash
        self.createdAt = createdAt
        self.startAt = startAt
        self.lifetimeMinutes = lifetimeMinutes
        self.isUsableOnce = isUsableOnce
        self.usedAt = usedAt
        self.createdBy = createdBy
    }

    /// When the pass stops working.
    public var endAt: Date { startAt.addingTimeInterval(Double(lifetimeMinutes) * 60) }

    /// Graph's `methodUsabilityReason`.
    public enum Usability: String, Sendable {
        case enabledByPolicy = "EnabledByPolicy"
        case notYetValid = "NotYetValid"
        case expired = "Expired"
        case oneTimeUsed = "OneTimeUsed"
    }

    /// Whether the pass works at `now`, and why (not).
    public func usability(at now: Date) -> Usability {
        if isUsableOnce, usedAt != nil { return .oneTimeUsed }
        if now < startAt { return .notYetValid }
        if now >= endAt { return .expired }
        return .enabledByPolicy
    }

    public func isUsable(at now: Date) -> Bool { usability(at: now) == .enabledByPolicy }
}

/// A verification-code secret as the store keeps it: a device's, or a third-party app's
/// (`SoftwareOathMethod`, decision 0031).
public struct TOTPCredential: Sendable, Equatable {
    /// Whose secret it is.
    public enum Kind: Sendable, Equatable {
        /// The Tandem authenticator's (`deviceID` is the device's id).
        case device
        /// Another authenticator app's (`deviceID` is the software OATH method's id).
        case softwareOath
    }

    /// The device's id, or the software OATH method's for `.softwareOath`.
    public var deviceID: String
    /// Base32 secret. Secret: never logged.
    public var secret: String
    /// The last step a code was accepted for (replays of it or earlier steps are refused).
    public var lastUsedStep: Int64?
    public var kind: Kind

    public init(deviceID: String, secret: String, lastUsedStep: Int64?, kind: Kind = .device) {
        self.deviceID = deviceID
        self.secret = secret
        self.lastUsedStep = lastUsedStep
        self.kind = kind
    }
}
