import Logging
import NIOCore
import SQLKit

/// The SQLite connection behind a `ConnectionGate`: each statement passes the gate as a shared
/// user; `withSession` has the connection to itself (what a session means on one connection), so
/// a `BEGIN` … `COMMIT` inside it holds only the session's statements.
///
/// A write outside a transaction goes through `GroupCommit`: concurrent requests' writes share
/// one commit (one sync of the log) instead of one each (issue 11, decision 0040).
struct GatedDatabase: SQLDatabase {
    let base: any SQLDatabase
    let gate: ConnectionGate
    let group: GroupCommit

    init(base: any SQLDatabase, gate: ConnectionGate) {
        self.base = base
        self.gate = gate
        group = GroupCommit(gate: gate) { [base] sql in try await base.execute(sql: SQLRaw(sql)) { _ in } }
    }

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        eventLoop.makeFutureWithTask { try await self.execute(sql: query, onRow) }
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        if gate.heldByCurrentTask || !Self.isWrite(query, in: self) {
            return try await gate.statement { try await base.execute(sql: query, onRow) }
        }
        try await group.write { [base] in try await base.execute(sql: query, onRow) }
    }

    /// INSERT, UPDATE, DELETE or REPLACE (what `StatementCounter` counts as a write); anything
    /// else (reads, transaction control, PRAGMA, DDL) runs as before.
    static func isWrite(_ query: any SQLExpression, in database: any SQLDatabase) -> Bool {
        var serializer = SQLSerializer(database: database)
        query.serialize(to: &serializer)
        return StatementCounter.isWrite(serializer.sql)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        try await gate.exclusive { try await closure(self) }
    }
}
