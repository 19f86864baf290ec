import Logging
import NIOCore
import PostgresKit
import PostgresNIO
import SQLKit

/// SQLKit's `SQLDatabase` over PostgresNIO's connection pool (`PostgresClient`): each query leases
/// a connection for its duration; `withSession` keeps one for a block (transactions, session locks).
struct PostgresClientDatabase: SQLDatabase {
    let client: PostgresClient
    let logger: Logger
    let eventLoop: any EventLoop

    var dialect: any SQLDialect { PostgresDialect() }
    var queryLogLevel: Logger.Level? { nil }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await client.withConnection { connection in
            try await connection.sql(queryLogLevel: nil, logger: logger).execute(sql: query, onRow)
        }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await client.withConnection { connection in
            try await closure(connection.sql(queryLogLevel: nil, logger: logger))
        }
    }
}
