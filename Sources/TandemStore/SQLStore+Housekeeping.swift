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
        let rows: [any SQLRow]
        do {
            rows = try await db.raw("SELECT version FROM schema_migrations").all()
        } catch {
            _ = try await db.raw("SELECT 1 AS one").all()  // reachable, but never migrated
            return false
        }
        let done = Set(try rows.map { try $0.decode(column: "version", as: Int.self) })
        return Migrations.all.allSatisfy { done.contains($0.version) }
    }
}

extension SQLStore: HousekeepingStore {
    /// Rows deleted per statement: each batch is its own short transaction, so a purge of a large
    /// backlog (the first pass after an upgrade) never holds SQLite's write lock for long and
    /// sign-ins (on the same connection) go on between batches.
    static let purgeBatch = 1000

    /// Deletes the rows of `table` whose `column` is before `cut`, oldest first, in batches;
    /// `before` runs first on each batch (with the same selection), for dependent rows.
    private func purge(_ table: String, _ column: String, before cut: Date,
                       dependents: ((SQLQueryString) async throws -> Void)? = nil) async throws -> Int {
        let millis = Self.millis(cut)
        var total = 0
        while true {
            let batch: SQLQueryString = """
                SELECT id FROM \(ident: table) WHERE \(ident: column) < \(bind: millis) ORDER BY \(ident: column), id LIMIT \(literal: Self.purgeBatch)
                """
            if let dependents { try await dependents(batch) }
            let count = try await db.raw("DELETE FROM \(ident: table) WHERE id IN (\(batch)) RETURNING 1").all().count
            total += count
            if count < Self.purgeBatch { return total }
            // A pause between batches: SQLite has no queue for its write lock, so another
            // process (a `tandem admin` command) would otherwise keep missing the gaps.
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    public func purgeChallenges(before: Date) async throws -> Int {
        try await purge("challenges", "expires_at", before: before) { batch in
            try await self.db.raw("DELETE FROM push_trail WHERE challenge_id IN (\(batch))").run()
        }
    }

    public func purgeFlows(before: Date) async throws -> Int { try await purge("flows", "expires_at", before: before) }

    public func purgeActivations(before: Date) async throws -> Int { try await purge("activations", "expires_at", before: before) }

    public func purgeSessions(before: Date) async throws -> Int {
        try await purge("sessions", "expires_at", before: before) + purge("remembered_browsers", "expires_at", before: before)
    }

    public func purgeOIDC(before: Date) async throws -> Int {
        var count = 0
        for table in ["oidc_authorization_requests", "oidc_codes", "oidc_access_tokens", "oidc_refresh_tokens", "oidc_ciba_requests"] {
            count += try await purge(table, "expires_at", before: before)
        }
        _ = try await purge("oidc_assertion_ids", "expires_at", before: before)
        return count
    }

    public func purgeSignIns(before: Date) async throws -> Int { try await purge("sign_in_logs", "created_at", before: before) }

    public func purgeAudits(before: Date) async throws -> Int { try await purge("audit_logs", "activity_at", before: before) }
}
