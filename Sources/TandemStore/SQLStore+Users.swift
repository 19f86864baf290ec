import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: UserStore {
    static let userColumns = "id, user_principal_name, display_name, password_hash, account_enabled, created_at, last_number, push_failures, mfa_state, preferred_method"

    public func insertUser(_ user: User) async throws {
        let inserted = try await db.raw("""
            INSERT INTO users (id, user_principal_name, upn_key, display_name, password_hash, account_enabled, created_at, last_number, push_failures, mfa_state, preferred_method)
            VALUES (\(bind: user.id), \(bind: user.userPrincipalName), \(bind: user.userPrincipalName.lowercased()), \(bind: user.displayName),
                    \(bind: user.passwordHash), \(bind: user.accountEnabled ? 1 : 0), \(bind: Self.millis(user.createdAt)),
                    \(bind: user.lastNumber), \(bind: user.pushFailures), \(bind: user.mfaState.rawValue), \(bind: user.preferredMethod))
            ON CONFLICT DO NOTHING RETURNING id
            """).first()
        if inserted == nil { throw TandemError(.conflict, "A user with that userPrincipalName already exists.") }
    }

    public func user(id: String) async throws -> User? {
        try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE id = \(bind: id)").first().map(Self.user)
    }

    public func user(principalName: String) async throws -> User? {
        try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users WHERE upn_key = \(bind: principalName.lowercased())").first().map(Self.user)
    }

    public func users() async throws -> [User] {
        try await db.raw("SELECT \(unsafeRaw: Self.userColumns) FROM users ORDER BY created_at, id").all().map(Self.user)
    }

    public func countUsers() async throws -> Int {
        try await db.raw("SELECT COUNT(*) AS n FROM users").first()?.decode(column: "n", as: Int.self) ?? 0
    }

    public func setLastNumber(userID: String, number: String) async throws {
        try await db.raw("UPDATE users SET last_number = \(bind: number) WHERE id = \(bind: userID)").run()
    }

    public func recordPushFailure(userID: String, reset: Bool) async throws -> Int {
        let row = reset
            ? try await db.raw("UPDATE users SET push_failures = 0 WHERE id = \(bind: userID) RETURNING push_failures").first()
            : try await db.raw("UPDATE users SET push_failures = push_failures + 1 WHERE id = \(bind: userID) RETURNING push_failures").first()
        return try row?.decode(column: "push_failures", as: Int.self) ?? 0
    }

    static func user(_ row: any SQLRow) throws -> User {
        User(id: try row.decode(column: "id", as: String.self),
             userPrincipalName: try row.decode(column: "user_principal_name", as: String.self),
             displayName: try row.decode(column: "display_name", as: String.self),
             passwordHash: try row.decode(column: "password_hash", as: String?.self),
             accountEnabled: try row.decode(column: "account_enabled", as: Int.self) != 0,
             createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
             lastNumber: try row.decode(column: "last_number", as: String?.self),
             pushFailures: try row.decode(column: "push_failures", as: Int.self),
             mfaState: MFAState(rawValue: try row.decode(column: "mfa_state", as: String.self)) ?? .disabled,
             preferredMethod: try row.decode(column: "preferred_method", as: String?.self))
    }
}
