import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: PortalStore {
    public func setTOTPSecret(deviceID: String, secret: String) async throws {
        try await db.raw("UPDATE devices SET totp_secret = \(bind: secret), totp_last_step = NULL WHERE id = \(bind: deviceID)").run()
    }

    public func deleteTOTPSecret(deviceID: String) async throws {
        try await db.raw("UPDATE devices SET totp_secret = NULL, totp_last_step = NULL WHERE id = \(bind: deviceID)").run()
    }

    /// The devices' secrets, then the active third-party apps' (decision 0031).
    public func totpCredentials(userID: String) async throws -> [TOTPCredential] {
        try await db.raw("""
            SELECT id, totp_secret, totp_last_step FROM devices
            WHERE user_id = \(bind: userID) AND state = 'active' AND totp_secret IS NOT NULL ORDER BY created_at, id
            """).all().map { row in
            TOTPCredential(deviceID: try row.decode(column: "id", as: String.self),
                           secret: try row.decode(column: "totp_secret", as: String.self),
                           lastUsedStep: try row.decode(column: "totp_last_step", as: Int64?.self))
        } + (try await softwareOathMethods(userID: userID)).map {
            TOTPCredential(deviceID: $0.id, secret: $0.secret, lastUsedStep: $0.lastUsedStep, kind: .softwareOath)
        }
    }

    public func allTOTPSecrets() async throws -> [(deviceID: String, secret: String)] {
        try await db.raw("SELECT id, totp_secret FROM devices WHERE totp_secret IS NOT NULL ORDER BY id").all().map { row in
            (try row.decode(column: "id", as: String.self), try row.decode(column: "totp_secret", as: String.self))
        }
    }

    public func replaceTOTPSecret(deviceID: String, old: String, new: String) async throws -> Bool {
        try await db.raw("UPDATE devices SET totp_secret = \(bind: new) WHERE id = \(bind: deviceID) AND totp_secret = \(bind: old) RETURNING id")
            .first() != nil
    }

    public func useTOTPStep(deviceID: String, step: Int64) async throws -> Bool {
        try await db.raw("""
            UPDATE devices SET totp_last_step = \(bind: step)
            WHERE id = \(bind: deviceID) AND state = 'active' AND totp_secret IS NOT NULL
              AND (totp_last_step IS NULL OR totp_last_step < \(bind: step))
            RETURNING id
            """).first() != nil
    }

    public func lastSignInMethod(userID: String) async throws -> String? {
        try await db.raw("SELECT last_sign_in_method FROM users WHERE id = \(bind: userID)").first()?
            .decode(column: "last_sign_in_method", as: String?.self)
    }

    public func setLastSignInMethod(userID: String, method: String) async throws {
        try await db.raw("UPDATE users SET last_sign_in_method = \(bind: method) WHERE id = \(bind: userID)").run()
    }

    static let passColumns = "id, user_id, pass_hash, created_at, start_at, lifetime_minutes, is_usable_once, used_at, created_by"

    public func insertTemporaryAccessPass(_ p: TemporaryAccessPass) async throws {
        try await db.raw("""
            INSERT INTO temporary_access_passes (id, user_id, pass_hash, created_at, start_at, lifetime_minutes, is_usable_once, used_at, created_by)
            VALUES (\(bind: p.id), \(bind: p.userID), \(bind: p.passHash), \(bind: Self.millis(p.createdAt)), \(bind: Self.millis(p.startAt)),
                    \(bind: p.lifetimeMinutes), \(bind: p.isUsableOnce ? 1 : 0), \(bind: p.usedAt.map(Self.millis)), \(bind: p.createdBy))
            """).run()
    }

    public func temporaryAccessPass(id: String) async throws -> TemporaryAccessPass? {
        try await db.raw("SELECT \(unsafeRaw: Self.passColumns) FROM temporary_access_passes WHERE id = \(bind: id)").first().map(Self.pass)
    }

    public func temporaryAccessPasses(userID: String) async throws -> [TemporaryAccessPass] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.passColumns) FROM temporary_access_passes WHERE user_id = \(bind: userID) ORDER BY created_at, id
            """).all().map(Self.pass)
    }

    public func deleteTemporaryAccessPass(id: String) async throws -> Bool {
        try await db.raw("DELETE FROM temporary_access_passes WHERE id = \(bind: id) RETURNING id").first() != nil
    }

    public func useTemporaryAccessPass(id: String, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE temporary_access_passes SET used_at = \(bind: Self.millis(at)) WHERE id = \(bind: id) AND used_at IS NULL RETURNING id
            """).first() != nil
    }

    static func pass(_ row: any SQLRow) throws -> TemporaryAccessPass {
        TemporaryAccessPass(id: try row.decode(column: "id", as: String.self),
                            userID: try row.decode(column: "user_id", as: String.self),
                            passHash: try row.decode(column: "pass_hash", as: String.self),
                            createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
                            startAt: date(try row.decode(column: "start_at", as: Int64.self)),
                            lifetimeMinutes: try row.decode(column: "lifetime_minutes", as: Int.self),
                            isUsableOnce: try row.decode(column: "is_usable_once", as: Int.self) != 0,
                            usedAt: date(try row.decode(column: "used_at", as: Int64?.self)),
                            createdBy: try row.decode(column: "created_by", as: String?.self))
    }
}
