import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The transaction primitive of decision 0018, the same from every backend: commit, rollback,
/// savepoints, and transactions racing each other and plain writes.
@Suite("Transaction storage conformance")
struct TransactionStoreTests {
    struct Boom: Error {}

    static func audit(_ tag: String, _ n: Int = 0) -> AuditEntry {
        AuditEntry(id: "\(tag)-\(n)", activityAt: Fixtures.t0.addingTimeInterval(Double(n)), category: "Policy",
                   activity: "Test", operationType: "Update", initiatedByID: nil, initiatedByName: nil,
                   targetType: "Policy", targetID: tag, targetName: nil)
    }

    static func auditIDs(_ s: any TandemStorage) async throws -> Set<String> {
        Set(try await s.audits(limit: 100_000, before: nil).map(\.id))
    }

    @Test("Every write of a transaction is there once it returns, and its value comes back", arguments: Backend.allCases)
    func commits(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let user = Fixtures.user()
            let value = try await s.transaction { tx in
                try await tx.insertUser(user)
                try await tx.savePolicyDocument(id: "p", body: "{\"v\":1}", updatedAt: Fixtures.t0)
                try await tx.insertAudit(Self.audit("commit"))
                #expect(try await tx.user(id: user.id) != nil, "the transaction reads its own writes")
                return 42
            }
            #expect(value == 42)
            #expect(try await s.user(id: user.id) == user)
            #expect(try await s.policyDocument(id: "p") == "{\"v\":1}")
            #expect(try await Self.auditIDs(s) == ["commit-0"])
        }
    }

    @Test("A throw undoes every write of the transaction and is rethrown", arguments: Backend.allCases)
    func rollsBack(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            try await s.savePolicyDocument(id: "p", body: "{\"v\":1}", updatedAt: Fixtures.t0)
            let user = Fixtures.user()
            await #expect(throws: Boom.self) {
                try await s.transaction { tx in
                    try await tx.insertUser(user)
                    try await tx.savePolicyDocument(id: "p", body: "{\"v\":2}", updatedAt: Fixtures.t0)
                    try await tx.insertAudit(Self.audit("rollback"))
                    throw Boom()
                }
            }
            #expect(try await s.user(id: user.id) == nil)
            #expect(try await s.policyDocument(id: "p") == "{\"v\":1}")
            #expect(try await Self.auditIDs(s).isEmpty)
            // A store error inside (a duplicate user) rolls back the same way.
            try await s.insertUser(user)
            await #expect(throws: TandemError.self) {
                try await s.transaction { tx in
                    try await tx.insertAudit(Self.audit("duplicate"))
                    try await tx.insertUser(Fixtures.user(user.userPrincipalName))
                }
            }
            #expect(try await Self.auditIDs(s).isEmpty)
            // And the store is usable afterwards: the next transaction commits.
            try await s.transaction { tx in try await tx.insertAudit(Self.audit("after")) }
            #expect(try await Self.auditIDs(s) == ["after-0"])
        }
    }

    @Test("A transaction inside a transaction is a savepoint: its throw undoes only its own writes", arguments: Backend.allCases)
    func savepoints(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            try await s.transaction { tx in
                try await tx.insertAudit(Self.audit("outer", 1))
                do {
                    try await tx.transaction { inner in
                        try await inner.insertAudit(Self.audit("inner", 1))
                        throw Boom()
                    }
                } catch is Boom {}
                try await tx.transaction { inner in try await inner.insertAudit(Self.audit("inner", 2)) }
                try await tx.insertAudit(Self.audit("outer", 2))
            }
            #expect(try await Self.auditIDs(s) == ["outer-1", "inner-2", "outer-2"])
        }
    }

    @Test("Concurrent transactions each commit all or nothing", arguments: Backend.allCases)
    func concurrentTransactions(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for t in 0..<16 {
                    group.addTask {
                        try? await s.transaction { tx in
                            for n in 0..<3 {
                                try await tx.insertAudit(Self.audit("t\(t)", n))
                                await Task.yield()
                            }
                            if t % 2 == 1 { throw Boom() }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let expected = Set((0..<16).filter { $0 % 2 == 0 }.flatMap { t in (0..<3).map { "t\(t)-\($0)" } })
            #expect(try await Self.auditIDs(s) == expected)
        }
    }

    /// What the single shared SQLite connection got wrong before the gate: a plain write made while
    /// another request's transaction was open became part of it, and was lost with its rollback.
    @Test("Plain writes beside transactions are kept, and no one reads a transaction's writes before it commits",
          arguments: Backend.allCases.filter { $0 != .memory })
    func transactionsAndPlainWrites(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let seen = try await withThrowingTaskGroup(of: Set<String>.self) { group in
                for t in 0..<12 {
                    group.addTask {
                        try? await s.transaction { tx in
                            for n in 0..<3 {
                                try await tx.insertAudit(Self.audit("t\(t)", n))
                                try await Task.sleep(for: .milliseconds(2))
                            }
                            if t % 2 == 1 { throw Boom() }
                        }
                        return []
                    }
                    group.addTask {
                        for n in 0..<3 { try await s.insertAudit(Self.audit("plain\(t)", n)) }
                        return []
                    }
                }
                group.addTask {  // a reader beside them: what did it ever see?
                    var seen: Set<String> = []
                    for _ in 0..<40 {
                        let ids = try await Self.auditIDs(s)
                        for t in 0..<12 {
                            let count = (0..<3).filter { ids.contains("t\(t)-\($0)") }.count
                            #expect(count == 0 || count == 3, "a transaction seen half done: t\(t)")
                        }
                        seen.formUnion(ids)
                        try await Task.sleep(for: .milliseconds(1))
                    }
                    return seen
                }
                var all: Set<String> = []
                for try await ids in group { all.formUnion(ids) }
                return all
            }
            let committed = Set((0..<12).filter { $0 % 2 == 0 }.flatMap { t in (0..<3).map { "t\(t)-\($0)" } })
            let plain = Set((0..<12).flatMap { t in (0..<3).map { "plain\(t)-\($0)" } })
            #expect(try await Self.auditIDs(s) == committed.union(plain))
            #expect(seen.isSubset(of: committed.union(plain)), "a rolled-back write was read")
        }
    }

    @Test("A transaction waits for nothing but the database: one that reads and writes while others read finishes promptly",
          arguments: Backend.allCases)
    func readersDoNotStarveTransactions(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<8 {
                    group.addTask { for _ in 0..<50 { _ = try await s.policyDocument(id: "p") } }
                }
                group.addTask {
                    for n in 0..<10 {
                        try await s.transaction { tx in
                            _ = try await tx.policyDocument(id: "p")
                            try await tx.savePolicyDocument(id: "p", body: "{\"v\":\(n)}", updatedAt: Fixtures.t0)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await s.policyDocument(id: "p") == "{\"v\":9}")
            // A liveness guard, not a speed target (those are benchmarks): alone this takes ~0.1 s,
            // but beside the whole suite on two cores it once took 27 s; starvation would be minutes.
            #expect(ContinuousClock.now - started < .seconds(120))
        }
    }

    @Test("A policy document is replaced only from the body it was read at (compare-and-set), also under a race", arguments: Backend.allCases)
    func policyCompareAndSet(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            #expect(try await s.replacePolicyDocument(id: "p", body: "{\"v\":1}", updatedAt: Fixtures.t0, ifBodyIs: nil))
            #expect(try await s.replacePolicyDocument(id: "p", body: "{\"v\":9}", updatedAt: Fixtures.t0, ifBodyIs: nil) == false,
                    "a second first write loses")
            #expect(try await s.replacePolicyDocument(id: "p", body: "{\"v\":2}", updatedAt: Fixtures.t0, ifBodyIs: "{\"v\":0}") == false)
            #expect(try await s.policyDocument(id: "p") == "{\"v\":1}")
            let winners = try await withThrowingTaskGroup(of: Bool.self) { group in
                for n in 2..<10 {
                    group.addTask { try await s.replacePolicyDocument(id: "p", body: "{\"v\":\(n)}", updatedAt: Fixtures.t0, ifBodyIs: "{\"v\":1}") }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(winners == 1)
            #expect(try await s.policyDocument(id: "p") != "{\"v\":1}")
        }
    }
}
