import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// SQLKit's `SQLDatabase` over PostgresNIO's connection pool (`PostgresClient`): each query leases
/// a connection for its duration; `withSession` keeps one for a block (transactions, session locks).
///
/// A query (lease included) that has not finished within `queryTimeout` fails with
/// `TandemError(.unavailable)`, which the server answers 503 with `Retry-After`: during an outage
/// requests fail fast instead of waiting for the pool's reconnection attempts (issue 17, item 4).
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

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            try await closure(connection.sql(queryLogLevel: nil, logger: logger))
        }
    }
}
