import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: PasskeyStore {
    static let passkeyColumns = """
        id, user_id, credential_id, public_key, algorithm, sign_count, aaguid, backup_eligible, backed_up,
        attestation_format, transports, name, created_at, last_used_at, attestation
        """

    static func passkey(_ row: any SQLRow) throws -> Passkey {
        let transports = try row.decode(column: "transports", as: String.self)
        return Passkey(id: try row.decode(column: "id", as: String.self), userID: try row.decode(column: "user_id", as: String.self),
                       credentialID: try row.decode(column: "credential_id", as: String.self),
                       publicKey: try row.decode(column: "public_key", as: String.self),
                       algorithm: try row.decode(column: "algorithm", as: Int.self),
                       signCount: try row.decode(column: "sign_count", as: Int64.self),
                       aaguid: try row.decode(column: "aaguid", as: String.self),
                       backupEligible: try row.decode(column: "backup_eligible", as: Int.self) != 0,
                       backedUp: try row.decode(column: "backed_up", as: Int.self) != 0,
                       attestationFormat: try row.decode(column: "attestation_format", as: String.self),
                       attestation: try row.decode(column: "attestation", as: String.self),
                       transports: transports.isEmpty ? [] : transports.split(separator: ",").map(String.init),
                       name: try row.decode(column: "name", as: String.self),
                       createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
                       lastUsedAt: date(try row.decode(column: "last_used_at", as: Int64?.self)))
    }

    public func insertPasskey(_ p: Passkey) async throws -> Bool {
        try await db.raw("""
            INSERT INTO passkeys (\(unsafeRaw: Self.passkeyColumns))
            VALUES (\(bind: p.id), \(bind: p.userID), \(bind: p.credentialID), \(bind: p.publicKey), \(bind: p.algorithm),
                    \(bind: p.signCount), \(bind: p.aaguid), \(bind: p.backupEligible ? 1 : 0), \(bind: p.backedUp ? 1 : 0),
                    \(bind: p.attestationFormat), \(bind: p.transports.joined(separator: ",")), \(bind: p.name),
                    \(bind: Self.millis(p.createdAt)), \(bind: p.lastUsedAt.map(Self.millis)), \(bind: p.attestation))
            ON CONFLICT (credential_id) DO NOTHING
            RETURNING id
            """).first() != nil
    }

    public func passkey(id: String) async throws -> Passkey? {
        try await db.raw("SELECT \(unsafeRaw: Self.passkeyColumns) FROM passkeys WHERE id = \(bind: id)").first().map(Self.passkey)
    }

    public func passkey(credentialID: String) async throws -> Passkey? {
        try await db.raw("SELECT \(unsafeRaw: Self.passkeyColumns) FROM passkeys WHERE credential_id = \(bind: credentialID)")
            .first().map(Self.passkey)
    }

    public func passkeys(userID: String) async throws -> [Passkey] {
        try await db.raw("SELECT \(unsafeRaw: Self.passkeyColumns) FROM passkeys WHERE user_id = \(bind: userID) ORDER BY created_at, id")
            .all().map(Self.passkey)
    }

    public func deletePasskey(id: String, userID: String) async throws -> Bool {
        try await db.raw("DELETE FROM passkeys WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING id").first() != nil
    }

    public func recordPasskeyUse(id: String, expectedSignCount: Int64, signCount: Int64, backedUp: Bool, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE passkeys SET sign_count = \(bind: signCount), backed_up = \(bind: backedUp ? 1 : 0), last_used_at = \(bind: Self.millis(at))
            WHERE id = \(bind: id) AND sign_count = \(bind: expectedSignCount)
            RETURNING id
            """).first() != nil
    }

    public func insertPasskeyChallenge(_ c: PasskeyChallenge) async throws {
        try await db.raw("""
            INSERT INTO passkey_challenges (id, user_id, purpose, challenge, created_at, expires_at)
            VALUES (\(bind: c.id), \(bind: c.userID), \(bind: c.purpose.rawValue), \(bind: c.challenge),
                    \(bind: Self.millis(c.createdAt)), \(bind: Self.millis(c.expiresAt)))
            """).run()
    }

    public func consumePasskeyChallenge(id: String, now: Date) async throws -> PasskeyChallenge? {
        let row = try await db.raw("""
            UPDATE passkey_challenges SET used_at = \(bind: Self.millis(now))
            WHERE id = \(bind: id) AND used_at IS NULL AND expires_at > \(bind: Self.millis(now))
            RETURNING id, user_id, purpose, challenge, created_at, expires_at
            """).first()
        guard let row, let purpose = PasskeyChallenge.Purpose(rawValue: try row.decode(column: "purpose", as: String.self)) else { return nil }
        return PasskeyChallenge(id: try row.decode(column: "id", as: String.self), userID: try row.decode(column: "user_id", as: String?.self),
                                purpose: purpose, challenge: try row.decode(column: "challenge", as: String.self),
                                createdAt: Self.date(try row.decode(column: "created_at", as: Int64.self)),
                                expiresAt: Self.date(try row.decode(column: "expires_at", as: Int64.self)))
    }

    public func purgePasskeyChallenges(before now: Date) async throws -> Int {
        try await db.raw("DELETE FROM passkey_challenges WHERE expires_at < \(bind: Self.millis(now)) RETURNING 1").all().count
    }
}
