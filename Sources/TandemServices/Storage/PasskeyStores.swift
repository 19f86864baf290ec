import Foundation

/// What passkeys need from storage (issue 12; migration 140; docs/decisions/0020-passkeys.md):
/// the registered credentials and the single-use WebAuthn challenges.
public protocol PasskeyStore: Sendable {
    /// Stores a new passkey; returns `false` (and stores nothing) when its credential id is already registered.
    func insertPasskey(_ passkey: Passkey) async throws -> Bool
    func passkey(id: String) async throws -> Passkey?
    func passkey(credentialID: String) async throws -> Passkey?
    /// The user's passkeys, oldest first.
    func passkeys(userID: String) async throws -> [Passkey]
    /// Deletes the user's passkey; returns whether it did.
    func deletePasskey(id: String, userID: String) async throws -> Bool
    /// Records a verified use: writes the new counter, backup state and time if the stored
    /// counter is still `expectedSignCount` (compare-and-set, so two racing assertions with the
    /// same counter cannot both pass). Returns whether it wrote.
    func recordPasskeyUse(id: String, expectedSignCount: Int64, signCount: Int64, backedUp: Bool, at: Date) async throws -> Bool

    func insertPasskeyChallenge(_ challenge: PasskeyChallenge) async throws
    /// Takes the challenge once: returns it and marks it used if it exists, is unused and has
    /// not expired at `now`; `nil` otherwise (a replay, a late answer or an unknown id).
    func consumePasskeyChallenge(id: String, now: Date) async throws -> PasskeyChallenge?
    /// Deletes challenges that expired before `now`; returns how many.
    func purgePasskeyChallenges(before now: Date) async throws -> Int
}
