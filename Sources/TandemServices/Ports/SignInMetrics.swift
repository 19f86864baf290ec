import Foundation
import TandemCore

/// Counts what the sign-in does, for the `/metrics` endpoint. Calls are synchronous and cheap
/// (atomic counters); no label ever holds a user, a device or a secret.
public protocol SignInMetrics: Sendable {
    /// A sign-in finished: `method` is `passwordless`, `mfa` or `password`; `result` is `success`,
    /// or why it failed (`wrongPassword`, `denied`, `reported`, `expired`, `withdrawn`).
    func signIn(method: String, result: String)
    /// A request was pushed to `devices` devices.
    func pushSent(kind: ChallengeKind, devices: Int)
    /// A device answered a request (`state` is `approved`, `denied` or `reported`), `latency`
    /// after it was created.
    func pushAnswered(kind: ChallengeKind, state: ChallengeState, latency: TimeInterval)
}

/// Counts nothing (offline commands, tests that don't look).
public struct NoSignInMetrics: SignInMetrics {
    public init() {}
    public func signIn(method: String, result: String) {}
    public func pushSent(kind: ChallengeKind, devices: Int) {}
    public func pushAnswered(kind: ChallengeKind, state: ChallengeState, latency: TimeInterval) {}
}

extension ChallengeKind {
    /// The sign-in method a push of this kind belongs to (`nil` for a registration).
    public var signInMethod: String? {
        switch self {
        case .passwordless: "passwordless"
        case .mfa: "mfa"
        case .registration: nil
        }
    }
}
