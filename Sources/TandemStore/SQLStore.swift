import Foundation
import Logging
import SQLKit
import TandemCore
import TandemServices

/// `TandemStorage` over SQLKit: the same queries for SQLite and PostgreSQL.
public final class SQLStore: Sendable {
    let db: any SQLDatabase
    private let onClose: @Sendable () async throws -> Void

    /// Wraps an open database; `onClose` releases it.
    public init(database: any SQLDatabase, onClose: @escaping @Sendable () async throws -> Void) {
        self.db = database
        self.onClose = onClose
    }

    /// Closes the underlying connection. Call exactly once.
    public func close() async throws { try await onClose() }

    /// Applies every migration not applied yet; returns the versions it applied.
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await db.raw("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)").run()
        let rows = try await db.raw("SELECT version FROM schema_migrations").all()
        let done = Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
        var applied: [Int] = []
        for migration in Migrations.all where !done.contains(migration.version) {
            for statement in migration.statements { try await db.raw(SQLQueryString(statement)).run() }
            try await db.raw("INSERT INTO schema_migrations (version, applied_at) VALUES (\(bind: migration.version), \(bind: Self.millis(Date())))").run()
            applied.append(migration.version)
        }
        return applied
    }

    static func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }
    static func date(_ millis: Int64) -> Date { Date(timeIntervalSince1970: Double(millis) / 1000) }
    static func date(_ millis: Int64?) -> Date? { millis.map { date($0) } }
}
