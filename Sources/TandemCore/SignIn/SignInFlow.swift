import Foundation

/// A way a person proves who they are during a sign-in. The raw values are the RFC 8176 method
/// names where one exists; they are what the store keeps in a flow's `factors` column.
public enum AuthenticationMethod: String, Sendable, Codable, CaseIterable {
    /// The account's password.
    case password = "pwd"
    /// A Temporary Access Pass typed in the password's place (strong on its own, as in Entra).
    case temporaryAccessPass = "tap"
    /// A verification code (TOTP) from the authenticator, after the password.
    case verificationCode = "otp"
    /// A passkey (WebAuthn): a complete, phishing-resistant sign-in on its own.
    case passkey = "fido"
}

/// A browser's sign-in in progress, kept in the store so it survives a restart. It changes only
/// through the events of `SignInFlow+StateMachine.swift`, and the store writes it with a
/// compare-and-set on `version`, so two requests racing on one flow can't both move it (and a flow
/// completes once).
public struct SignInFlow: Sendable, Equatable {
    /// Which page the browser is on.
    public enum Stage: String, Sendable, Codable {
        /// Waiting for the password (or, once `proven` holds a first factor that needs nothing
        /// more, ready to complete).
        case password
        /// Waiting for the push with the number (MFA or passwordless).
        case push
        /// Waiting for a verification code from the authenticator (after the password).
        case code
        /// After the password, waiting for the passkey: system-preferred MFA offers the strongest
        /// method first (decision 0033). The person may still choose the notification or a code.
        case passkey
        /// The registration interrupt (decision 0013): the password was right, MFA is required and
        /// no usable second factor exists; the flow may only register the first method, never
        /// become a session.
        case register
        /// The strength interrupt (decision 0027): the sign-in met MFA but not the strength the flow
        /// requires, and the user has no method that can; only a passkey added now (within the
        /// step-up window) and then used in this flow completes it. Never a session on its own.
        case enrol
        /// Finished: a session was issued (or the sign-in was cancelled).
        case done
    }

    /// The second factor the person asked for on the password page.
    public enum Choice: String, Sendable, Codable {
        /// "Use a verification code".
        case code
    }

    /// SHA-256 of the flow cookie's token.
    public var id: String
    /// What the person typed (kept even for unknown users, to show it back).
    public var username: String
    /// The user, when the name is known.
    public var userID: String?
    public internal(set) var stage: Stage
    /// The push this flow waits on (stage `push`), or the one it last sent.
    public internal(set) var challengeID: String?
    /// What the push of `challengeID` is for.
    public internal(set) var pushKind: ChallengeKind?
    public var createdAt: Date
    public var expiresAt: Date
    /// The sign-in log record of this attempt.
    public var signInID: String?
    /// Where the browser goes once signed in (an OIDC authorization request); `nil` for the home page.
    public var returnTo: String? = nil
    /// The methods proven so far in this flow, in order.
    public internal(set) var proven: [AuthenticationMethod] = []
    /// The second factor the person chose on the password page, if any.
    public internal(set) var choice: Choice? = nil
    /// A step-up sign-in for security info: a trusted IP range or a remembered browser doesn't skip MFA.
    public var stepUp: Bool = false
    /// The store's compare-and-set counter: the version this value was read at (0 before the
    /// first write). The store bumps it on every write and refuses a write from a stale version.
    public var version: Int = 0
    /// The amr of a passkey sign-in (`hwk` or `swk`, `user` when the authenticator verified the person).
    /// In the `enrol` stage: the amr of the MFA sign-in that opened the interrupt.
    public internal(set) var passkeyMethods: [String] = []
    /// The authentication strength this sign-in must reach (decision 0027), decided once when the
    /// flow starts from the administrator's policies and the OIDC request's `acr_values`; `nil`:
    /// none beyond the MFA rules of decision 0013.
    public internal(set) var requiredStrength: AuthenticationStrength? = nil

    public init(id: String, username: String, userID: String?, createdAt: Date, expiresAt: Date, signInID: String? = nil,
                requiredStrength: AuthenticationStrength? = nil) {
        self.requiredStrength = requiredStrength
        self.id = id
        self.username = username
        self.userID = userID
        self.stage = .password
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.signInID = signInID
    }

    /// Rebuilds a flow from what the store kept (the store's reading only; events change flows).
    public static func stored(id: String, username: String, userID: String?, stage: Stage, challengeID: String?, pushKind: ChallengeKind?,
                              createdAt: Date, expiresAt: Date, signInID: String?, returnTo: String?, proven: [AuthenticationMethod],
                              choice: Choice?, stepUp: Bool, version: Int, passkeyMethods: [String] = [],
                              requiredStrength: AuthenticationStrength? = nil) -> SignInFlow {
        var flow = SignInFlow(id: id, username: username, userID: userID, createdAt: createdAt, expiresAt: expiresAt, signInID: signInID,
                              requiredStrength: requiredStrength)
        flow.stage = stage
        flow.challengeID = challengeID
        flow.pushKind = pushKind
        flow.returnTo = returnTo
        flow.proven = proven
        flow.choice = choice
        flow.stepUp = stepUp
        flow.version = version
        flow.passkeyMethods = passkeyMethods
        return flow
    }

    /// The password was checked in this flow.
    public var passwordVerified: Bool { proven.contains(.password) }
}
