import SQLKit
import TandemServices

extension SQLStore: TransactionStore {
    /// Runs `body` in one database transaction (decision 0018): `BEGIN IMMEDIATE` on SQLite, with
    /// the connection to itself through its `ConnectionGate`; `BEGIN` on one leased PostgreSQL
    /// connection (READ COMMITTED). Commits when `body` returns, rolls back when it throws.
    /// Inside a transaction (on the store `body` is given) it is a savepoint.
    public func transaction<T: Sendable>(_ body: @Sendable (any TandemStorage) async throws -> T) async throws -> T {
        if transactionDepth > 0 { return try await savepoint(body) }
        let (postgres, begin) = (postgres, postgres == nil ? "BEGIN IMMEDIATE" : "BEGIN")
        return try await withoutActuallyEscaping(body) { body in
            try await db.withSession { session in
                let inner = SQLStore(database: session, postgres: postgres, transactionDepth: 1, onClose: {})
                try await session.raw(SQLQueryString(begin)).run()
                let value: T
                do {
                    value = try await body(inner)
                } catch {
                    try? await session.raw("ROLLBACK").run()
                    throw error
                }
                do {
                    try await session.raw("COMMIT").run()
                } catch {
                    try? await session.raw("ROLLBACK").run()  // a failed COMMIT may leave it open
                    throw error
                }
                return value
            }
        }
    }

    private func savepoint<T: Sendable>(_ body: @Sendable (any TandemStorage) async throws -> T) async throws -> T {
        let name = "tandem_sp\(transactionDepth)"
        let inner = SQLStore(database: db, postgres: postgres, transactionDepth: transactionDepth + 1, onClose: {})
        try await db.raw("SAVEPOINT \(ident: name)").run()
        do {
            let value = try await body(inner)
            try await db.raw("RELEASE SAVEPOINT \(ident: name)").run()
            return value
        } catch {
            try? await db.raw("ROLLBACK TO SAVEPOINT \(ident: name)").run()
            try? await db.raw("RELEASE SAVEPOINT \(ident: name)").run()
            throw error
        }
    }
}
