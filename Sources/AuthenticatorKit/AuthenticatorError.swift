/// The one error type of AuthenticatorKit. Equality is on the code only.
///
/// `message` is written for the person at the phone: one line, no secret (never a PIN, key or
/// number).
public struct AuthenticatorError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// A PIN that breaks the PIN rules (4 to 16 ASCII digits).
        case invalidPIN
        /// The PIN did not unlock the key; a failure was counted.
        case wrongPIN
        /// Too many wrong PINs: PIN-protected keys refuse to sign, even with the right PIN.
        case locked
        /// No key under that label.
        case keyNotFound
        /// A key already exists under that label.
        case keyExists
        /// A key label outside `[A-Za-z0-9._-]{1,128}`.
        case invalidLabel
        /// A file could not be read or written, or its content is damaged.
        case storage
        /// The activation link is not `<server>/device/v1/activate?code=CODE`.
        case invalidActivationURL
        /// No account matches.
        case accountNotFound
        /// Several accounts match; the caller must say which.
        case ambiguousAccount
        /// The request needs the phone sign-in key, but phone sign-in is off on this device.
        case phoneSignInOff
        /// The server answered with an error status (`status`, `serverCode`).
        case server
        /// The server could not be reached.
        case network
        /// The server sent something the protocol does not allow.
        case protocolViolation
        /// The server refused the push channel (bad signature, unknown or revoked device).
        case channelRefused
        /// An argument is malformed (a number, a request id).
        case invalidInput
    }

    /// What went wrong.
    public var code: Code
    /// One line for the user; never contains a secret.
    public var message: String
    /// For `.server`: the HTTP status.
    public var status: Int?
    /// For `.server`: `error.code` from the JSON error body, when there was one.
    public var serverCode: String?
    /// For `.wrongPIN`: how many more wrong PINs lock the store.
    public var remainingAttempts: Int?
    /// For `.server` with `serverCode` `clockSkew`: the server's clock, Unix seconds.
    public var serverTime: Int64?

    /// Creates an error.
    public init(_ code: Code, _ message: String, status: Int? = nil, serverCode: String? = nil, remainingAttempts: Int? = nil,
                serverTime: Int64? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.serverCode = serverCode
        self.remainingAttempts = remainingAttempts
        self.serverTime = serverTime
    }

    public static func == (lhs: AuthenticatorError, rhs: AuthenticatorError) -> Bool { lhs.code == rhs.code }

    /// The message, with the HTTP status and server code for `.server` errors.
    public var description: String {
        guard code == .server, let status else { return message }
        if let serverCode { return "\(message) (HTTP \(status), \(serverCode))" }
        return "\(message) (HTTP \(status))"
    }
}
