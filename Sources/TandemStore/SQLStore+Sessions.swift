import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: FlowStore {
    static let flowColumns = """
        id, username, user_id, stage, challenge_id, push_kind, created_at, expires_at, sign_in_id, return_to, factors, choice, step_up,
        version, passkey_methods, required_strength
        """

    public func insertFlow(_ f: SignInFlow) async throws {
        try await db.raw("""
            INSERT INTO flows (id, username, user_id, stage, password_verified, challenge_id, push_kind, created_at, expires_at, sign_in_id,
                               return_to, factors, choice, step_up, version, passkey_methods, required_strength)
            VALUES (\(bind: f.id), \(bind: f.username), \(bind: f.userID), \(bind: f.stage.rawValue), \(bind: f.passwordVerified ? 1 : 0),
                    \(bind: f.challengeID), \(bind: f.pushKind?.rawValue), \(bind: Self.millis(f.createdAt)), \(bind: Self.millis(f.expiresAt)),
                    \(bind: f.signInID), \(bind: f.returnTo), \(bind: Self.methods(f.proven)), \(bind: f.choice?.rawValue),
                    \(bind: f.stepUp ? 1 : 0), \(bind: f.version), \(bind: f.passkeyMethods.joined(separator: " ")),
                    \(bind: f.requiredStrength?.rawValue))
            """).run()
    }

    public func flow(id: String) async throws -> SignInFlow? {
        try await db.raw("SELECT \(unsafeRaw: Self.flowColumns) FROM flows WHERE id = \(bind: id)").first().map { row in
            SignInFlow.stored(
                id: try row.decode(column: "id", as: String.self),
                username: try row.decode(column: "username", as: String.self),
                userID: try row.decode(column: "user_id", as: String?.self),
                stage: SignInFlow.Stage(rawValue: try row.decode(column: "stage", as: String.self)) ?? .done,
                challengeID: try row.decode(column: "challenge_id", as: String?.self),
                pushKind: try row.decode(column: "push_kind", as: String?.self).flatMap(ChallengeKind.init(rawValue:)),
                createdAt: Self.date(try row.decode(column: "created_at", as: Int64.self)),
                expiresAt: Self.date(try row.decode(column: "expires_at", as: Int64.self)),
                signInID: try row.decode(column: "sign_in_id", as: String?.self),
                returnTo: try row.decode(column: "return_to", as: String?.self),
                // A method name the server doesn't know (a newer version's) is dropped, never guessed.
                proven: try row.decode(column: "factors", as: String.self).split(separator: " ").compactMap { AuthenticationMethod(rawValue: String($0)) },
                choice: try row.decode(column: "choice", as: String?.self).flatMap(SignInFlow.Choice.init(rawValue:)),
                stepUp: try row.decode(column: "step_up", as: Int.self) != 0,
                version: Int(try row.decode(column: "version", as: Int64.self)),
                passkeyMethods: try row.decode(column: "passkey_methods", as: String.self).split(separator: " ").map(String.init),
                requiredStrength: try Self.requiredStrength(row.decode(column: "required_strength", as: String?.self)))
        }
    }

    public func updateFlow(_ f: SignInFlow) async throws -> Bool {
        try await db.raw("""
            UPDATE flows SET stage = \(bind: f.stage.rawValue), password_verified = \(bind: f.passwordVerified ? 1 : 0),
                user_id = \(bind: f.userID), challenge_id = \(bind: f.challengeID), push_kind = \(bind: f.pushKind?.rawValue),
                expires_at = \(bind: Self.millis(f.expiresAt)), factors = \(bind: Self.methods(f.proven)), choice = \(bind: f.choice?.rawValue),
                passkey_methods = \(bind: f.passkeyMethods.joined(separator: " ")), version = version + 1
            WHERE id = \(bind: f.id) AND version = \(bind: f.version)
            RETURNING id
            """).first() != nil
    }

    /// A strength this version does not know (a newer one's) reads as the strongest: fail closed.
    static func requiredStrength(_ stored: String?) -> AuthenticationStrength? {
        stored.map { AuthenticationStrength(rawValue: $0) ?? .phishingResistantMFA }
    }

    static func methods(_ methods: [AuthenticationMethod]) -> String { methods.map(\.rawValue).joined(separator: " ") }
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
