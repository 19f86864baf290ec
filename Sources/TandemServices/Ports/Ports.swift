import Foundation

/// The server's clock. Expiry is always decided by it.
public protocol TandemClock: Sendable {
    func now() -> Date
}

/// The real clock.
public struct SystemClock: TandemClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// The CSPRNG: the operating system's generator (getrandom on Linux) through `SystemRandomNumberGenerator`.
public struct SystemRandomSource: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}

/// Password hashing (bcrypt in production), run off the event loop by the implementation.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, against hash: String) async -> Bool
    /// Spends the time of one verification, for unknown users, so timing does not tell who exists.
    func verifyDecoy(_ password: String) async
}

/// Sends requests to connected authenticators and withdraws them.
public protocol PushNotifier: Sendable {
    /// Delivers `offer` to whichever of `deviceIDs` are connected; the others fetch it on connect.
    func deliver(_ offer: ChallengeOffer, to deviceIDs: [String]) async
    /// Tells connected devices that a request is no longer answerable.
    func withdraw(challengeID: String, reason: String, from deviceIDs: [String]) async
    /// Closes a removed device's channels.
    func disconnect(deviceID: String) async
}

extension PushNotifier {
    public func disconnect(deviceID: String) async {}
}

/// Wakes browsers waiting for a challenge to change.
public protocol ChallengeEvents: Sendable {
    /// Signals that a challenge changed state.
    func changed(challengeID: String) async
    /// Returns when the challenge changes or the deadline passes, whichever comes first.
    func wait(challengeID: String, until deadline: Date) async
}
