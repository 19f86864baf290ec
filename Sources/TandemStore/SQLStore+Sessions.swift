import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: FlowStore {
    static let flowColumns = "id, username, user_id, stage, password_verified, challenge_id, created_at, expires_at, sign_in_id, return_to, factors, choice, step_up"

    public func insertFlow(_ f: SignInFlow) async throws {
        try await db.raw("""
            INSERT INTO flows (id, username, user_id, stage, password_verified, challenge_id, created_at, expires_at, sign_in_id, return_to,
                               factors, choice, step_up)
            VALUES (\(bind: f.id), \(bind: f.username), \(bind: f.userID), \(bind: f.stage.rawValue), \(bind: f.passwordVerified ? 1 : 0),
                    \(bind: f.challengeID), \(bind: Self.millis(f.createdAt)), \(bind: Self.millis(f.expiresAt)), \(bind: f.signInID),
                    \(bind: f.returnTo), \(bind: f.factors.joined(separator: " ")), \(bind: f.choice), \(bind: f.stepUp ? 1 : 0))
            """).run()
    }

    public func flow(id: String) async throws -> SignInFlow? {
        try await db.raw("SELECT \(unsafeRaw: Self.flowColumns) FROM flows WHERE id = \(bind: id)").first().map { row in
            var flow = SignInFlow(id: try row.decode(column: "id", as: String.self),
                       username: try row.decode(column: "username", as: String.self),
                       userID: try row.decode(column: "user_id", as: String?.self),
                       stage: SignInFlow.Stage(rawValue: try row.decode(column: "stage", as: String.self)) ?? .done,
                       passwordVerified: try row.decode(column: "password_verified", as: Int.self) != 0,
                       challengeID: try row.decode(column: "challenge_id", as: String?.self),
                       createdAt: Self.date(try row.decode(column: "created_at", as: Int64.self)),
                       expiresAt: Self.date(try row.decode(column: "expires_at", as: Int64.self)),
                       signInID: try row.decode(column: "sign_in_id", as: String?.self))
            flow.returnTo = try row.decode(column: "return_to", as: String?.self)
            flow.factors = try row.decode(column: "factors", as: String.self).split(separator: " ").map(String.init)
            flow.choice = try row.decode(column: "choice", as: String?.self)
            flow.stepUp = try row.decode(column: "step_up", as: Int.self) != 0
            return flow
        }
    }

    public func updateFlow(_ f: SignInFlow) async throws {
        try await db.raw("""
            UPDATE flows SET stage = \(bind: f.stage.rawValue), password_verified = \(bind: f.passwordVerified ? 1 : 0),
                challenge_id = \(bind: f.challengeID), expires_at = \(bind: Self.millis(f.expiresAt)),
                factors = \(bind: f.factors.joined(separator: " ")), choice = \(bind: f.choice)
            WHERE id = \(bind: f.id)
            """).run()
    }
}

extension SQLStore: SessionStore {
    public func insertSession(_ s: Session) async throws {
        try await db.raw("""
            INSERT INTO sessions (id, user_id, methods, created_at, expires_at)
            VALUES (\(bind: s.id), \(bind: s.userID), \(bind: s.methods.joined(separator: " ")),
                    \(bind: Self.millis(s.createdAt)), \(bind: Self.millis(s.expiresAt)))
            """).run()
    }

    public func session(id: String) async throws -> Session? {
        try await db.raw("SELECT id, user_id, methods, created_at, expires_at FROM sessions WHERE id = \(bind: id)").first().map { row in
            Session(id: try row.decode(column: "id", as: String.self),
                    userID: try row.decode(column: "user_id", as: String.self),
                    methods: try row.decode(column: "methods", as: String.self).split(separator: " ").map(String.init),
                    createdAt: Self.date(try row.decode(column: "created_at", as: Int64.self)),
                    expiresAt: Self.date(try row.decode(column: "expires_at", as: Int64.self)))
        }
    }

    public func deleteSession(id: String) async throws {
        try await db.raw("DELETE FROM sessions WHERE id = \(bind: id)").run()
    }
}
