import Foundation
import Logging
import SQLKit
import TandemCore
import TandemServices

/// `TandemStorage` over SQLKit: the same queries for SQLite and PostgreSQL.
public final class SQLStore: Sendable {
    let db: any SQLDatabase
    /// Set when the store is on PostgreSQL: the pool, for LISTEN/NOTIFY between instances.
    let postgres: PostgresHandle?
    /// 0 for the store itself; 1 inside a transaction, more inside savepoints (`transaction(_:)`).
    let transactionDepth: Int
    private let onClose: @Sendable () async throws -> Void

    /// Wraps an open database; `onClose` releases it.
    public convenience init(database: any SQLDatabase, onClose: @escaping @Sendable () async throws -> Void) {
        self.init(database: database, postgres: nil, onClose: onClose)
    }

    init(database: any SQLDatabase, postgres: PostgresHandle?, transactionDepth: Int = 0,
         onClose: @escaping @Sendable () async throws -> Void) {
        self.db = database
        self.postgres = postgres
        self.transactionDepth = transactionDepth
        self.onClose = onClose
    }

    /// Whether the store is on PostgreSQL (several instances may share it).
    public var isPostgres: Bool { postgres != nil }

    /// Closes the underlying connection. Call exactly once.
    public func close() async throws { try await onClose() }

    /// Applies every migration not applied yet, in one transaction; returns the versions it applied.
    ///
    /// Safe when several processes start at once: on PostgreSQL the transaction first takes an
    /// advisory lock (`pg_advisory_xact_lock`, released at commit or rollback); on SQLite
    /// `BEGIN IMMEDIATE` takes the write lock. The others wait, then find nothing left to do.
    @discardableResult
    public func migrate() async throws -> [Int] {
        let postgres = postgres
        return try await db.withSession { session in
            try await session.raw(postgres == nil ? "BEGIN IMMEDIATE" : "BEGIN").run()
            do {
                if let postgres {
                    try await session.raw("SELECT pg_advisory_xact_lock(\(literal: Self.migrationLockKey))").run()
                    if let schema = postgres.schema {
                        try await session.raw("CREATE SCHEMA IF NOT EXISTS \(ident: schema)").run()
                    }
                }
                let applied = try await Self.applyMigrations(session)
                try await session.raw("COMMIT").run()
                return applied
            } catch {
                try? await session.raw("ROLLBACK").run()
                throw error
            }
        }
    }

    /// "tandem" in ASCII: the advisory lock that serialises migrations on one PostgreSQL database.
    static let migrationLockKey = 0x74_61_6E_64_65_6D

    private static func applyMigrations(_ db: any SQLDatabase) async throws -> [Int] {
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
