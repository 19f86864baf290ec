import Foundation
import SQLKit
import TandemCore
@testable import TandemStore
import TandemTesting
import Testing

/// Issue 17, item 4, for transactions: on PostgreSQL a transaction's wait for its connection and
/// each of its statements have the single statements' deadline, so an outage or an exhausted pool
/// is a fast `unavailable` (503 with `Retry-After`), not a hang of up to a minute.
@Suite("PostgreSQL transaction deadlines")
struct PostgresDeadlineTests {
    /// A migrated fresh schema (opened with the default deadlines: migrations on a loaded test
    /// machine may be slow), then a store on it with `queryTimeout`.
    static func open(queryTimeout: Duration, maximumConnections: Int? = nil) async throws -> SQLStore {
        let url = try PostgresTarget.freshSchemaURL()
        try await SQLStore.openPostgres(url: url).close()
        return try await SQLStore.openPostgres(url: url, migrate: false, queryTimeout: queryTimeout, maximumConnections: maximumConnections)
    }

    static func isUnavailable(_ error: any Error) -> Bool { (error as? TandemError)?.code == .unavailable }

    @Test("A transaction that cannot get a connection within the deadline fails fast, and the store works afterwards")
    func leaseDeadline() async throws {
        guard PostgresTarget.url != nil else { return }  // CI sets it (PostgresBackendTests.configured)
        let store = try await Self.open(queryTimeout: .milliseconds(800), maximumConnections: 1)
        do {
            let holding = AsyncStream<Void>.makeStream()
            // Another transaction holds the pool's only connection for 3 s.
            let holder = Task {
                try await store.transaction { tx in
                    try await tx.insertAudit(TransactionStoreTests.audit("holder"))
                    holding.continuation.yield()
                    try await Task.sleep(for: .seconds(3))
                }
            }
            for await _ in holding.stream { break }
            let started = ContinuousClock.now
            await #expect(performing: {
                try await store.transaction { tx in try await tx.insertAudit(TransactionStoreTests.audit("waiter")) }
            }, throws: Self.isUnavailable)
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(700) && waited < .milliseconds(2500), "waited \(waited)")
            try await holder.value
            #expect(try await TransactionStoreTests.auditIDs(store) == ["holder-0"], "the waiter wrote nothing")
            try await store.transaction { tx in try await tx.insertAudit(TransactionStoreTests.audit("after")) }
            #expect(try await TransactionStoreTests.auditIDs(store) == ["holder-0", "after-0"])
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test("A statement inside a transaction that does not answer within the deadline fails it fast and rolls it back")
    func statementDeadline() async throws {
        guard PostgresTarget.url != nil else { return }
        let store = try await Self.open(queryTimeout: .milliseconds(800))
        do {
            let started = ContinuousClock.now
            await #expect(performing: {
                try await store.transaction { tx in
                    try await tx.insertAudit(TransactionStoreTests.audit("slow"))
                    try await (tx as! SQLStore).db.raw("SELECT pg_sleep(3)").run()
                }
            }, throws: Self.isUnavailable)
            #expect(ContinuousClock.now - started < .milliseconds(2500))
            #expect(try await TransactionStoreTests.auditIDs(store).isEmpty, "rolled back")
            // The store still answers (the pool replaces or reuses the connection).
            try await store.transaction { tx in try await tx.insertAudit(TransactionStoreTests.audit("after")) }
            #expect(try await TransactionStoreTests.auditIDs(store) == ["after-0"])
            // Once the abandoned statement would have finished, its transaction's write is still not there.
            try await Task.sleep(for: .seconds(3))
            try await store.transaction { tx in try await tx.insertAudit(TransactionStoreTests.audit("later")) }
            #expect(try await TransactionStoreTests.auditIDs(store) == ["after-0", "later-0"])
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}
