import Foundation
import TandemCore
import TandemServices

/// The passkey tables of the in-memory twin (one stored property of `InMemoryStorage`).
struct InMemoryPasskeyTables: Sendable {
    var passkeys: [String: Passkey] = [:]
    var challenges: [String: (challenge: PasskeyChallenge, used: Bool)] = [:]
}

extension InMemoryStorage {
    public func insertPasskey(_ passkey: Passkey) -> Bool {
        guard passkeyTables.passkeys[passkey.id] == nil,
              !passkeyTables.passkeys.values.contains(where: { $0.credentialID == passkey.credentialID }) else { return false }
        passkeyTables.passkeys[passkey.id] = passkey
        return true
    }
    public func passkey(id: String) -> Passkey? { passkeyTables.passkeys[id] }
    public func passkey(credentialID: String) -> Passkey? {
        passkeyTables.passkeys.values.first { $0.credentialID == credentialID }
    }
    public func passkeys(userID: String) -> [Passkey] {
        passkeyTables.passkeys.values.filter { $0.userID == userID }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
    public func deletePasskey(id: String, userID: String) -> Bool {
        guard passkeyTables.passkeys[id]?.userID == userID else { return false }
        passkeyTables.passkeys[id] = nil
        return true
    }
    public func recordPasskeyUse(id: String, expectedSignCount: Int64, signCount: Int64, backedUp: Bool, at: Date) -> Bool {
        guard var passkey = passkeyTables.passkeys[id], passkey.signCount == expectedSignCount else { return false }
        passkey.signCount = signCount
        passkey.backedUp = backedUp
        passkey.lastUsedAt = at
        passkeyTables.passkeys[id] = passkey
        return true
    }

    public func insertPasskeyChallenge(_ challenge: PasskeyChallenge) throws {
        guard passkeyTables.challenges[challenge.id] == nil else { throw TandemError(.conflict, "Duplicate challenge.") }
        passkeyTables.challenges[challenge.id] = (challenge, false)
    }
    public func consumePasskeyChallenge(id: String, now: Date) -> PasskeyChallenge? {
        guard let stored = passkeyTables.challenges[id], !stored.used, stored.challenge.expiresAt > now else { return nil }
        passkeyTables.challenges[id] = (stored.challenge, true)
        return stored.challenge
    }
    public func purgePasskeyChallenges(before now: Date) -> Int {
        let expired = passkeyTables.challenges.filter { $0.value.challenge.expiresAt < now }.map(\.key)
        for id in expired { passkeyTables.challenges[id] = nil }
        return expired.count
    }
}
