import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore {
    /// A consistent copy of the SQLite database at `path`, taken while other connections (a
    /// running server) keep reading and writing: `VACUUM INTO` reads one snapshot inside a read
    /// transaction and writes a compact new file. Fails if `path` exists and is not empty.
    public func backup(to path: String) async throws {
        guard !isPostgres else { throw TandemError(.badRequest, "backup of PostgreSQL is pg_dump's job") }
        try await db.raw("VACUUM INTO \(bind: path)").run()
    }

    /// The applied schema versions compared with the migrations this build knows: true when none
    /// is missing (the store is reachable and migrated).
    public func isMigrated() async throws -> Bool {
        let rows = try await db.raw("SELECT version FROM schema_migrations").all()
        let done = Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
        return Migrations.all.allSatisfy { done.contains($0.version) }
    }
}
