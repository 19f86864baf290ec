import Foundation

/// One throttle counter in the store (decision 0013): a name's consecutive first-factor failures
/// with its lock, a source address's token bucket, or a user's phone-sign-in pushes. Written with
/// a compare-and-set on `version`, so concurrent attempts on several instances cannot overshoot.
public struct ThrottleRecord: Sendable, Equatable {
    /// `account|<user id or digest of the typed name>`, `ip|<address>`, `passwordless|<user id>`,
    /// `pushlock|<user id>` (when the second factor was last locked, for the notice).
    public var key: String
    /// Consecutive failures (account) or pushes since the last success (passwordless).
    public var failures: Int
    /// The last failure (account) or the last push (passwordless).
    public var lastFailureAt: Date?
    /// Locked until then (account): only a Temporary Access Pass or a phone sign-in gets in.
    public var lockedUntil: Date?
    /// When the last lock began; kept after the lock ends, for the user's notice.
    public var lockedAt: Date?
    /// Token bucket (ip): tokens in thousandths.
    public var milliTokens: Int
    public var updatedAt: Date
    public var version: Int

    public init(key: String, failures: Int = 0, lastFailureAt: Date? = nil, lockedUntil: Date? = nil, lockedAt: Date? = nil,
                milliTokens: Int = 0, updatedAt: Date, version: Int = 0) {
        self.key = key
        self.failures = failures
        self.lastFailureAt = lastFailureAt
        self.lockedUntil = lockedUntil
        self.lockedAt = lockedAt
        self.milliTokens = milliTokens
        self.updatedAt = updatedAt
        self.version = version
    }
}

/// Throttling of typed secrets and of phone sign-in requests (decision 0013), stored as the
/// policy document `tandemSignInProtection`.
public struct SignInProtectionSettings: Sendable, Equatable, Codable {
    /// Consecutive wrong passwords, passes or codes for one name before waits start.
    public var freeFailures: Int
    /// The first wait, in seconds; each further failure doubles it.
    public var baseDelaySeconds: Int
    /// The longest wait, in seconds.
    public var maxDelaySeconds: Int
    /// Consecutive failures that lock the name; 1–100 (NIST SP 800-63B-4 §3.2.2: at most 100).
    public var lockThreshold: Int
    /// How long a lock lasts, in minutes (it also ends with a Temporary Access Pass or a phone sign-in).
    public var lockMinutes: Int
    /// Failed attempts one source address may burst.
    public var ipBurst: Int
    /// Failed attempts per minute a source address gets back.
    public var ipPerMinute: Int
    /// A user with no sign-in method at all may register the first one after the password alone
    /// (Entra's behaviour); off: only with a Temporary Access Pass.
    public var firstMethodWithPassword: Bool
    /// How recent a multi-factor sign-in must be to add or remove a method, in minutes (ASVS 5.0 V7.5).
    public var stepUpMinutes: Int

    public init(freeFailures: Int = 5, baseDelaySeconds: Int = 1, maxDelaySeconds: Int = 300, lockThreshold: Int = 100,
                lockMinutes: Int = 60, ipBurst: Int = 60, ipPerMinute: Int = 60, firstMethodWithPassword: Bool = true,
                stepUpMinutes: Int = 10) {
        self.freeFailures = freeFailures
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.lockThreshold = lockThreshold
        self.lockMinutes = lockMinutes
        self.ipBurst = ipBurst
        self.ipPerMinute = ipPerMinute
        self.firstMethodWithPassword = firstMethodWithPassword
        self.stepUpMinutes = stepUpMinutes
    }

    /// The wait after `failures` consecutive failures (0 while they are free).
    public func wait(afterFailures failures: Int) -> TimeInterval {
        guard failures >= freeFailures else { return 0 }
        return TimeInterval(min(maxDelaySeconds, baseDelaySeconds << min(failures - freeFailures, 30)))
    }
}

/// Why a typed secret was not even checked.
public enum ThrottleRefusal: Sendable, Equatable {
    /// Wait this many seconds (growing delays).
    case wait(Int)
    /// Locked until then.
    case locked(Date)
    /// The source address used its failures up.
    case address

    /// What the page says. The same for every name, known or not.
    public var message: String {
        switch self {
        case .wait(let seconds):
            "Too many incorrect attempts. Wait \(seconds) second\(seconds == 1 ? "" : "s") and try again."
        case .locked:
            "Your account is temporarily locked to prevent unauthorized use. Try again later, sign in with a Temporary Access Pass, or approve a request in your Authenticator app."
        case .address:
            "Too many sign-in attempts from your network. Wait a minute and try again."
        }
    }

    /// The sign-in log's detail.
    public var detail: String {
        switch self {
        case .wait(let seconds): "Sign-in throttled: wait \(seconds) s after repeated incorrect attempts"
        case .locked: "Account locked after repeated incorrect attempts"
        case .address: "Sign-in throttled: too many failed attempts from this IP address"
        }
    }
}
