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
    /// Runs `DELETE … RETURNING 1` and counts the rows (the same on SQLite ≥ 3.35 and PostgreSQL).
    private func deleted(_ query: SQLQueryString) async throws -> Int {
        try await db.raw(query).all().count
    }

    public func purgeChallenges(before: Date) async throws -> Int {
        let cut = Self.millis(before)
        _ = try await deleted("DELETE FROM push_trail WHERE challenge_id IN (SELECT id FROM challenges WHERE expires_at < \(bind: cut)) RETURNING 1")
        return try await deleted("DELETE FROM challenges WHERE expires_at < \(bind: cut) RETURNING 1")
    }

    public func purgeFlows(before: Date) async throws -> Int {
        try await deleted("DELETE FROM flows WHERE expires_at < \(bind: Self.millis(before)) RETURNING 1")
    }

    public func purgeActivations(before: Date) async throws -> Int {
        try await deleted("DELETE FROM activations WHERE expires_at < \(bind: Self.millis(before)) RETURNING 1")
    }

    public func purgeSessions(before: Date) async throws -> Int {
        let cut = Self.millis(before)
        return try await deleted("DELETE FROM sessions WHERE expires_at < \(bind: cut) RETURNING 1")
            + deleted("DELETE FROM remembered_browsers WHERE expires_at < \(bind: cut) RETURNING 1")
    }

    public func purgeOIDC(before: Date) async throws -> Int {
        let cut = Self.millis(before)
        var count = 0
        for table in ["oidc_authorization_requests", "oidc_codes", "oidc_access_tokens", "oidc_refresh_tokens", "oidc_ciba_requests"] {
            count += try await deleted("DELETE FROM \(ident: table) WHERE expires_at < \(bind: cut) RETURNING 1")
        }
        _ = try await deleted("DELETE FROM oidc_assertion_ids WHERE expires_at < \(bind: cut) RETURNING 1")
        return count
    }

    public func purgeSignIns(before: Date) async throws -> Int {
        try await deleted("DELETE FROM sign_in_logs WHERE created_at < \(bind: Self.millis(before)) RETURNING 1")
    }

    public func purgeAudits(before: Date) async throws -> Int {
        try await deleted("DELETE FROM audit_logs WHERE activity_at < \(bind: Self.millis(before)) RETURNING 1")
    }
}
