import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit
import TandemCore

/// SQLKit's `SQLDatabase` over PostgresNIO's connection pool (`PostgresClient`): each query leases
/// a connection for its duration; `withSession` keeps one for a block (transactions, session locks).
///
/// A query (lease included) that has not finished within `queryTimeout` fails with
/// `TandemError(.unavailable)`, which the server answers 503 with `Retry-After`: during an outage
/// requests fail fast instead of waiting for the pool's reconnection attempts (issue 17, item 4).
/// The same deadline bounds a transaction's wait for its connection and each of its statements.
struct PostgresClientDatabase: SQLDatabase {
    let client: PostgresClient
    let logger: Logger
    let eventLoop: any EventLoop
    var queryTimeout: Duration = .seconds(5)

    var dialect: any SQLDialect { PostgresDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let (client, logger) = (client, logger)
        try await withDeadline(queryTimeout, "The database did not answer in time; try again in a few seconds.") {
            try await client.withConnection { connection in
                try await connection.sql(queryLogLevel: nil, logger: logger).execute(sql: query, onRow)
            }
        }
    }

    /// A session without deadlines: the migrations' (they wait on an advisory lock between
    /// instances, and a long migration is not an outage).
    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            try await closure(connection.sql(queryLogLevel: nil, logger: logger))
        }
    }

    /// A transaction's session: its statements have the same deadline as single ones. The lease
    /// itself is bounded by `SQLStore.transaction` (`withLeaseDeadline`).
    func withBoundedSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let (logger, queryTimeout) = (logger, queryTimeout)
        return try await client.withConnection { connection in
            try await closure(DeadlineSQLDatabase(inner: connection.sql(queryLogLevel: nil, logger: logger), timeout: queryTimeout,
                                                  abandon: { try? await connection.close() }))
        }
    }
}

/// An `SQLDatabase` whose every statement fails with `TandemError(.unavailable)` when it has not
/// finished within `timeout` (the statements of a PostgreSQL transaction, issue 17 item 4).
///
/// A statement past its deadline may still be running, inside an open transaction, and the
/// `ROLLBACK` after it would wait behind it; so the connection is closed (`abandon`) rather than
/// given back to the pool, where the next lease's `BEGIN … COMMIT` would have committed the
/// abandoned transaction's writes. The server rolls back a transaction whose connection is gone.
struct DeadlineSQLDatabase: SQLDatabase {
    let inner: any SQLDatabase
    let timeout: Duration
    let abandon: @Sendable () async -> Void
    let abandoned = StartFlag()

    var logger: Logger { inner.logger }
    var eventLoop: any EventLoop { inner.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { inner.version }
    var dialect: any SQLDialect { inner.dialect }
    var queryLogLevel: Logger.Level? { inner.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        let inner = inner
        // After an abandoned statement the connection is closed: a later one (the ROLLBACK) is
        // refused at once instead of waiting on it.
        guard !abandoned.isSet else { throw TandemError(.unavailable, "The database did not answer in time; try again in a few seconds.") }
        do {
            try await withDeadline(timeout, "The database did not answer in time; try again in a few seconds.") {
                try await inner.execute(sql: query, onRow)
            }
        } catch let error as TandemError where error.code == .unavailable {
            abandoned.set()
            await abandon()
            throw error
        }
    }
}
