import Logging
import NIOCore
import SQLKit

/// The SQLite connection behind a `ConnectionGate`: each statement passes the gate as a shared
/// user; `withSession` has the connection to itself (what a session means on one connection), so
/// a `BEGIN` … `COMMIT` inside it holds only the session's statements.
struct GatedDatabase: SQLDatabase {
    let base: any SQLDatabase
    let gate: ConnectionGate

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        try await gate.statement { try await base.execute(sql: query, onRow) }
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await gate.exclusive { try await closure(self) }
    }
}
