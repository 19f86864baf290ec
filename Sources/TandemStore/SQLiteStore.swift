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
            // WAL with synchronous=FULL: every commit fsyncs the WAL before it returns, so what
            // Tandem has confirmed (a block after "No, it's not me", a removed phone, a revoked
            // session, a policy) survives a power loss. With NORMAL the WAL was synced only at
            // checkpoints: a crash of the process lost nothing, but a power loss could undo the
            // commits since the last checkpoint, confirmed ones included (issue 17, item 2;
            // decision 0018). The database is never corrupted either way.
            try await database.raw("PRAGMA synchronous=FULL").run()
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
