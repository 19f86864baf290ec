import Foundation
@_exported import TandemCore

/// Users. `insertUser` throws `TandemError.conflict` for a taken user principal name.
public protocol UserStore: Sendable {
    func insertUser(_ user: User) async throws
    func user(id: String) async throws -> User?
    /// Case-insensitive lookup.
    func user(principalName: String) async throws -> User?
    func users() async throws -> [User]
    func countUsers() async throws -> Int
    func setLastNumber(userID: String, number: String) async throws
    /// Adds one to the user's push failures (or sets it to 0 with `reset`), returning the new count.
    @discardableResult
    func recordPushFailure(userID: String, reset: Bool) async throws -> Int
}

/// Registered authenticators.
public protocol DeviceStore: Sendable {
    func insertDevice(_ device: Device) async throws
    func device(id: String) async throws -> Device?
    /// The user's devices that are not removed, oldest first.
    func devices(userID: String) async throws -> [Device]
    func updateDevice(_ device: Device) async throws
}

/// Push challenges. `replaceChallenge` is the one atomic state change: a compare-and-set on `state`.
public protocol ChallengeStore: Sendable {
    func insertChallenge(_ challenge: Challenge) async throws
    func challenge(id: String) async throws -> Challenge?
    /// Writes `updated` only if the stored challenge is still in `expected`; returns whether it did.
    func replaceChallenge(_ updated: Challenge, ifStateIs expected: ChallengeState) async throws -> Bool
    /// The user's challenges still in `pending`, oldest first (expired ones included; callers expire them).
    func pendingChallenges(userID: String) async throws -> [Challenge]
}

/// One-time activation codes.
public protocol ActivationStore: Sendable {
    func insertActivation(_ activation: Activation) async throws
    func activation(id: String) async throws -> Activation?
    /// Atomically marks the unused, unexpired activation with this code digest used, and returns it.
    func consumeActivation(codeDigest: String, now: Date) async throws -> Activation?
    func updateActivation(_ activation: Activation) async throws
}

/// Sign-in flows in progress.
public protocol FlowStore: Sendable {
    func insertFlow(_ flow: SignInFlow) async throws
    func flow(id: String) async throws -> SignInFlow?
    func updateFlow(_ flow: SignInFlow) async throws
}

/// Browser sessions.
public protocol SessionStore: Sendable {
    func insertSession(_ session: Session) async throws
    func session(id: String) async throws -> Session?
    func deleteSession(id: String) async throws
}

/// Everything the services need from storage.
public typealias TandemStorage = UserStore & DeviceStore & ChallengeStore & ActivationStore & FlowStore & SessionStore
