import Foundation
import SQLKit
@testable import TandemStore
import Testing

/// Group commit on the one SQLite connection (decision 0040): concurrent writes share commits,
/// each caller still gets its own rows and its own error, and none returns before its commit.
@Suite("SQLite group commit")
struct GroupCommitTests {
    static func withStore(_ body: (SQLStore, GatedDatabase) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-group-\(UUID().uuidString).sqlite").path
        let store = try await SQLStore.openSQLite(path: path)
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            try await store.db.raw("CREATE TABLE group_test (id INTEGER PRIMARY KEY, value TEXT NOT NULL)").run()
            try await body(store, try #require(store.db as? GatedDatabase))
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test("128 concurrent writes: all land, each gets its own RETURNING row, some share a commit, and a conflict fails only its own caller")
    func concurrentWrites() async throws {
        try await Self.withStore { store, gated in
            try await store.db.raw("INSERT INTO group_test (id, value) VALUES (1000, 'taken')").run()
            let results = await withTaskGroup(of: (Int, Result<Int?, any Error>).self) { group in
                for index in 0..<128 {
                    group.addTask {
                        // Write 77 collides with the row above; the others are new.
                        let id = index == 77 ? 1000 : index
                        do {
                            let row = try await store.db.raw("INSERT INTO group_test (id, value) VALUES (\(bind: id), \(bind: "v\(index)")) RETURNING id").first()
                            return (index, .success(try row?.decode(column: "id", as: Int.self)))
                        } catch {
                            return (index, .failure(error))
                        }
                    }
                }
                var all: [Int: Result<Int?, any Error>] = [:]
                for await (index, result) in group { all[index] = result }
                return all
            }
            for index in 0..<128 where index != 77 {
                #expect((try? results[index]?.get()) == .some(index), "write \(index) lost its row or failed")
            }
            #expect((try? results[77]?.get()) == nil, "the conflicting write did not fail")
            let count = try await store.db.raw("SELECT COUNT(*) AS n FROM group_test").first()?.decode(column: "n", as: Int.self)
            #expect(count == 128)  // 127 new rows and the one that was there
            #expect(try await store.db.raw("SELECT value FROM group_test WHERE id = 1000").first()?.decode(column: "value", as: String.self) == "taken")
            #expect(gated.group.groupCommits.load(ordering: .relaxed) > 0, "no write shared a commit")
            #expect(gated.group.groupedWrites.load(ordering: .relaxed) > gated.group.groupCommits.load(ordering: .relaxed))
        }
    }

    @Test("Writes inside a transaction are the transaction's: a rollback undoes them, group commit or not")
    func transactionsStayTheirOwn() async throws {
        try await Self.withStore { store, _ in
            struct Undo: Error {}
            async let outside: Void = {
                for index in 0..<50 { try await store.db.raw("INSERT INTO group_test (id, value) VALUES (\(bind: index), 'outside')").run() }
            }()
            await #expect(throws: Undo.self) {
                try await store.transaction { tx in
                    for index in 100..<110 { try await (tx as! SQLStore).db.raw("INSERT INTO group_test (id, value) VALUES (\(bind: index), 'inside')").run() }
                    throw Undo()
                }
            }
            try await outside
            let inside = try await store.db.raw("SELECT COUNT(*) AS n FROM group_test WHERE value = 'inside'").first()?.decode(column: "n", as: Int.self)
            let kept = try await store.db.raw("SELECT COUNT(*) AS n FROM group_test WHERE value = 'outside'").first()?.decode(column: "n", as: Int.self)
            #expect(inside == 0)
            #expect(kept == 50)
        }
    }
}
