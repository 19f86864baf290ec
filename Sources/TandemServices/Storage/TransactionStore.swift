import Foundation

/// Several writes that commit together or not at all (issue 17, item 1; decision 0018).
///
/// ```swift
/// try await storage.transaction { tx in
///     try await tx.savePolicyDocument(id: id, body: body, updatedAt: now)
///     try await tx.insertAudit(entry)
/// }
/// ```
///
/// - Use only `tx` inside `body`. Its writes become visible to others when `body` returns, and
///   are undone when it throws (the error is rethrown). A transaction inside another one (on `tx`)
///   is a savepoint: its throw undoes only its own writes.
/// - Keep `body` to storage calls: no push, no network, no waiting on other requests. On SQLite a
///   transaction has the database to itself while it runs (every other statement waits for it),
///   so a body that waits for another request's statement waits forever.
/// - Isolation: on SQLite transactions are serialised; on PostgreSQL they run at READ COMMITTED,
///   so a read-modify-write that must not lose a concurrent update still needs its
///   compare-and-set (a version in the `WHERE`), as the challenge and throttle stores do.
/// - Side effects that must follow a committed change (notifications, metrics) go after the call.
public protocol TransactionStore: Sendable {
    func transaction<T: Sendable>(_ body: @Sendable (any TandemStorage) async throws -> T) async throws -> T
}
