import Foundation
import Logging
import NIOCore
import SQLKit
import Synchronization

/// Counts the SQL statements a store sends (issue 11): the regression tests count the statements
/// and writes of one sign-in through the real SQL store, because counts are deterministic where
/// timings in CI are noise. Holds only the statement text (with `$1`/`?` placeholders), never the
/// bound values.
public final class StatementCounter: Sendable {
    private let recorded = Mutex<[String]>([])

    public init() {}

    /// Every statement since the last `reset`, in order.
    public var statements: [String] { recorded.withLock { $0 } }
    /// How many statements were sent.
    public var count: Int { statements.count }
    /// How many of them change data (INSERT, UPDATE, DELETE, REPLACE, and transaction control
    /// does not count).
    public var writes: Int { statements.filter(Self.isWrite).count }
    /// The statements that name each table (a statement naming two tables counts for both).
    public var byTable: [String: Int] {
        var tally: [String: Int] = [:]
        for statement in statements { for table in Self.tables(in: statement) { tally[table, default: 0] += 1 } }
        return tally
    }

    public func reset() { recorded.withLock { $0.removeAll() } }

    /// Forgets the statements recorded after the first `mark` (a test's own requests).
    public func discard(since mark: Int) { recorded.withLock { if $0.count > mark { $0.removeSubrange(mark...) } } }

    func record(_ sql: String) { recorded.withLock { $0.append(sql) } }

    static func isWrite(_ sql: String) -> Bool {
        let head = sql.drop(while: { $0.isWhitespace }).prefix(8).uppercased()
        return ["INSERT", "UPDATE", "DELETE", "REPLACE"].contains { head.hasPrefix($0) }
    }

    static func tables(in sql: String) -> Set<String> {
        let words = sql.split(whereSeparator: { $0.isWhitespace || $0 == "(" || $0 == "," }).map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"`;")) }
        var names: Set<String> = []
        for (index, word) in words.enumerated() where index + 1 < words.count {
            if ["FROM", "INTO", "UPDATE", "JOIN"].contains(word.uppercased()) { names.insert(words[index + 1].lowercased()) }
        }
        return names
    }
}

/// A database that tells a `StatementCounter` about each statement, then runs it on `base`.
struct CountingDatabase: SQLDatabase {
    let base: any SQLDatabase
    let counter: StatementCounter

    var logger: Logger { base.logger }
    var eventLoop: any EventLoop { base.eventLoop }
    var version: (any SQLDatabaseReportedVersion)? { base.version }
    var dialect: any SQLDialect { base.dialect }
    var queryLogLevel: Logger.Level? { base.queryLogLevel }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) -> EventLoopFuture<Void> {
        counter.record(base.serialize(query).sql)
        return base.execute(sql: query, onRow)
    }

    func execute(sql query: any SQLExpression, _ onRow: @escaping @Sendable (any SQLRow) -> Void) async throws {
        counter.record(base.serialize(query).sql)
        try await base.execute(sql: query, onRow)
    }

    func withSession<R>(_ closure: @escaping @Sendable (any SQLDatabase) async throws -> R) async throws -> R {
        let counter = counter
        return try await base.withSession { session in try await closure(CountingDatabase(base: session, counter: counter)) }
    }
}

extension SQLStore {
    /// The same store, with every statement counted by `counter`. Closing the returned store does
    /// nothing; close the original.
    public func counted(by counter: StatementCounter) -> SQLStore {
        SQLStore(database: CountingDatabase(base: db, counter: counter), postgres: postgres, onClose: {})
    }
}
