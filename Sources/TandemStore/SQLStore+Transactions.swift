import SQLKit
import TandemServices

extension SQLStore: TransactionStore {
    /// Runs `body` in one database transaction (decision 0018): `BEGIN IMMEDIATE` on SQLite, with
    /// the connection to itself through its `ConnectionGate`; `BEGIN` on one leased PostgreSQL
    /// connection (READ COMMITTED). Commits when `body` returns, rolls back when it throws.
    /// Inside a transaction (on the store `body` is given) it is a savepoint.
    public func transaction<T: Sendable>(_ body: @Sendable (any TandemStorage) async throws -> T) async throws -> T {
        if transactionDepth > 0 { return try await savepoint(body) }
        let (db, postgres, begin) = (db, postgres, postgres == nil ? "BEGIN IMMEDIATE" : "BEGIN")
        let leased = StartFlag()
        return try await withoutActuallyEscaping(body) { body in
            let session = { @Sendable (body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T in
                if let bounded = db as? PostgresClientDatabase { return try await bounded.withBoundedSession(body) }
                return try await db.withSession(body)
            }
            let run = { @Sendable in try await session { session in
                leased.set()
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
            } }
            // PostgreSQL: waiting for the pool's connection has the statements' deadline
            // (issue 17, item 4); SQLite's gate waits for the statements in flight only.
            guard let postgres else { return try await run() }
            return try await withLeaseDeadline(postgres.queryTimeout, leased: leased,
                                               "The database did not answer in time; try again in a few seconds.", run)
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
