import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: SoftwareOathStore {
    static let softwareOathColumns = "id, user_id, secret, state, name, created_at, expires_at, last_step, last_used_at"

    static func softwareOath(_ row: any SQLRow) throws -> SoftwareOathMethod {
        SoftwareOathMethod(id: try row.decode(column: "id", as: String.self), userID: try row.decode(column: "user_id", as: String.self),
                           secret: try row.decode(column: "secret", as: String.self),
                           state: SoftwareOathMethod.State(rawValue: try row.decode(column: "state", as: String.self)) ?? .pending,
                           name: try row.decode(column: "name", as: String.self),
                           createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
                           expiresAt: date(try row.decode(column: "expires_at", as: Int64?.self)),
                           lastUsedStep: try row.decode(column: "last_step", as: Int64?.self),
                           lastUsedAt: date(try row.decode(column: "last_used_at", as: Int64?.self)))
    }

    public func insertSoftwareOathMethod(_ m: SoftwareOathMethod) async throws {
        try await db.raw("""
            INSERT INTO software_oath_methods (\(unsafeRaw: Self.softwareOathColumns))
            VALUES (\(bind: m.id), \(bind: m.userID), \(bind: m.secret), \(bind: m.state.rawValue), \(bind: m.name),
                    \(bind: Self.millis(m.createdAt)), \(bind: m.expiresAt.map(Self.millis)), \(bind: m.lastUsedStep),
                    \(bind: m.lastUsedAt.map(Self.millis)))
            """).run()
    }

    public func pendingSoftwareOathMethod(id: String, userID: String, now: Date) async throws -> SoftwareOathMethod? {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.softwareOathColumns) FROM software_oath_methods
            WHERE id = \(bind: id) AND user_id = \(bind: userID) AND state = 'pending' AND expires_at > \(bind: Self.millis(now))
            """).first().map(Self.softwareOath)
    }

    public func activateSoftwareOathMethod(id: String, userID: String, step: Int64, now: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE software_oath_methods SET state = 'active', expires_at = NULL, last_step = \(bind: step),
                last_used_at = \(bind: Self.millis(now))
            WHERE id = \(bind: id) AND user_id = \(bind: userID) AND state = 'pending' AND expires_at > \(bind: Self.millis(now))
            RETURNING id
            """).first() != nil
    }

    public func softwareOathMethod(id: String) async throws -> SoftwareOathMethod? {
        try await db.raw("SELECT \(unsafeRaw: Self.softwareOathColumns) FROM software_oath_methods WHERE id = \(bind: id) AND state = 'active'")
            .first().map(Self.softwareOath)
    }

    public func softwareOathMethods(userID: String) async throws -> [SoftwareOathMethod] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.softwareOathColumns) FROM software_oath_methods
            WHERE user_id = \(bind: userID) AND state = 'active' ORDER BY created_at, id
            """).all().map(Self.softwareOath)
    }

    public func deleteSoftwareOathMethod(id: String, userID: String) async throws -> Bool {
        try await db.raw("DELETE FROM software_oath_methods WHERE id = \(bind: id) AND user_id = \(bind: userID) RETURNING id").first() != nil
    }

    public func useSoftwareOathStep(id: String, step: Int64, at: Date) async throws -> Bool {
        try await db.raw("""
            UPDATE software_oath_methods SET last_step = \(bind: step), last_used_at = \(bind: Self.millis(at))
            WHERE id = \(bind: id) AND state = 'active' AND (last_step IS NULL OR last_step < \(bind: step))
            RETURNING id
            """).first() != nil
    }

    public func purgeSoftwareOathPending(before now: Date) async throws -> Int {
        try await db.raw("DELETE FROM software_oath_methods WHERE state = 'pending' AND expires_at < \(bind: Self.millis(now)) RETURNING 1")
            .all().count
    }
}
