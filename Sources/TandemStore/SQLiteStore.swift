import Foundation
import Logging
import SQLiteKit
import SQLKit

extension SQLStore {
    /// Opens (creating if needed) a SQLite file in WAL mode and applies the migrations.
    public static func openSQLite(path: String, migrate: Bool = true, logger: Logger = Logger(label: "tandem.store")) async throws -> SQLStore {
        let connection = try await SQLiteConnection.open(storage: .file(path: path), logger: logger.forDatabaseDriver)
        // No query log at any level: SQLKit's would print the bind values (numbers, nonces).
        // One connection for every request: the gate keeps a transaction's statements to itself.
        let database = GatedDatabase(base: connection.sql(queryLogLevel: nil), gate: ConnectionGate())
        let store = SQLStore(database: database) { try await connection.close() }
        do {
            _ = try await database.raw("PRAGMA journal_mode=WAL").all()
            // WAL with synchronous=NORMAL: a commit is durable once the WAL is synced at a
            // checkpoint, not fsync'ed per statement; the database cannot be corrupted by a crash,
            // only the last commits before a power loss can be lost (SQLite's advice for WAL).
            try await database.raw("PRAGMA synchronous=NORMAL").run()
            try await database.raw("PRAGMA foreign_keys=ON").run()
            try await database.raw("PRAGMA busy_timeout=5000").run()
            if migrate { try await store.migrate() }
        } catch {
            try? await connection.close()
            throw error
        }
        return store
    }
}
