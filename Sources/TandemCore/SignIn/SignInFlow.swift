import Foundation

/// A browser's sign-in in progress, kept in the store so it survives a restart.
public struct SignInFlow: Sendable, Equatable {
    /// Which page the browser is on.
    public enum Stage: String, Sendable, Codable {
        /// Waiting for the password.
        case password
        /// Waiting for the push with the number (MFA or passwordless).
        case push
        /// Waiting for a verification code from the authenticator (after the password).
        case code
        /// The registration interrupt (decision 0013): the password was right, MFA is required and
        /// no usable second factor exists; the flow may only register the first method, never
        /// become a session.
        case register
        /// Finished: a session was issued.
        case done
    }

    /// SHA-256 of the flow cookie's token.
    public var id: String
    /// What the person typed (kept even for unknown users, to show it back).
    public var username: String
    /// The user, when the name is known.
    public var userID: String?
    public var stage: Stage
    public var passwordVerified: Bool
    public var challengeID: String?
    public var createdAt: Date
    public var expiresAt: Date
    /// The sign-in log record of this attempt.
    public var signInID: String?
    /// Where the browser goes once signed in (an OIDC authorization request); `nil` for the home page.
    public var returnTo: String? = nil
    /// The RFC 8176 methods proven so far in this flow (`pwd`, `tap`, `otp`).
    public var factors: [String] = []
    /// The second factor the person chose on the password page (`code`), if any.
    public var choice: String? = nil
    /// A step-up sign-in for security info: a trusted IP range or a remembered browser doesn't skip MFA.
    public var stepUp: Bool = false

    public init(id: String, username: String, userID: String?, stage: Stage, passwordVerified: Bool = false,
                challengeID: String? = nil, createdAt: Date, expiresAt: Date, signInID: String? = nil) {
        self.id = id
        self.username = username
        self.userID = userID
        self.stage = stage
        self.passwordVerified = passwordVerified
        self.challengeID = challengeID
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.signInID = signInID
    }
}
