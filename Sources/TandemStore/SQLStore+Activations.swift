import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: ActivationStore {
    static let activationColumns = "id, user_id, code_digest, created_at, expires_at, used_at, device_id, challenge_id"

    public func insertActivation(_ a: Activation) async throws {
        try await db.raw("""
            INSERT INTO activations (id, user_id, code_digest, created_at, expires_at, used_at, device_id, challenge_id)
            VALUES (\(bind: a.id), \(bind: a.userID), \(bind: a.codeDigest), \(bind: Self.millis(a.createdAt)), \(bind: Self.millis(a.expiresAt)),
                    \(bind: a.usedAt.map(Self.millis)), \(bind: a.deviceID), \(bind: a.challengeID))
            """).run()
    }

    public func activation(id: String) async throws -> Activation? {
        try await db.raw("SELECT \(unsafeRaw: Self.activationColumns) FROM activations WHERE id = \(bind: id)").first().map(Self.activation)
    }

    public func consumeActivation(codeDigest: String, now: Date) async throws -> Activation? {
        try await db.raw("""
            UPDATE activations SET used_at = \(bind: Self.millis(now))
            WHERE code_digest = \(bind: codeDigest) AND used_at IS NULL AND expires_at > \(bind: Self.millis(now))
            RETURNING \(unsafeRaw: Self.activationColumns)
            """).first().map(Self.activation)
    }

    public func updateActivation(_ a: Activation) async throws {
        try await db.raw("""
            UPDATE activations SET used_at = \(bind: a.usedAt.map(Self.millis)), device_id = \(bind: a.deviceID), challenge_id = \(bind: a.challengeID)
            WHERE id = \(bind: a.id)
            """).run()
    }

    static func activation(_ row: any SQLRow) throws -> Activation {
        Activation(id: try row.decode(column: "id", as: String.self),
                   userID: try row.decode(column: "user_id", as: String.self),
                   codeDigest: try row.decode(column: "code_digest", as: String.self),
                   createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
                   expiresAt: date(try row.decode(column: "expires_at", as: Int64.self)),
                   usedAt: date(try row.decode(column: "used_at", as: Int64?.self)),
                   deviceID: try row.decode(column: "device_id", as: String?.self),
                   challengeID: try row.decode(column: "challenge_id", as: String?.self))
    }
}
