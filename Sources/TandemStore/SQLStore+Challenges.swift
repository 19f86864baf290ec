import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: ChallengeStore {
    static let challengeColumns = "id, user_id, kind, number, nonce, context, created_at, expires_at, state, reason, target_device_id, answered_by, answered_at, choices, sign_in_id, suppressed"

    public func insertChallenge(_ c: Challenge) async throws {
        let context = String(decoding: try JSONEncoder().encode(c.context), as: UTF8.self)
        try await db.raw("""
            INSERT INTO challenges (id, user_id, kind, number, nonce, context, created_at, expires_at, state, reason, target_device_id, answered_by, answered_at, choices, sign_in_id, suppressed)
            VALUES (\(bind: c.id), \(bind: c.userID), \(bind: c.kind.rawValue), \(bind: c.number), \(bind: c.nonce), \(bind: context),
                    \(bind: Self.millis(c.createdAt)), \(bind: Self.millis(c.expiresAt)), \(bind: c.state.rawValue), \(bind: c.reason?.rawValue),
                    \(bind: c.targetDeviceID), \(bind: c.answeredBy), \(bind: c.answeredAt.map(Self.millis)), \(bind: c.choices?.joined(separator: " ")),
                    \(bind: c.signInID), \(bind: c.suppressed ? 1 : 0))
            """).run()
    }

    public func challenge(id: String) async throws -> Challenge? {
        try await db.raw("SELECT \(unsafeRaw: Self.challengeColumns) FROM challenges WHERE id = \(bind: id)").first().map(Self.challenge)
    }

    public func replaceChallenge(_ c: Challenge, ifStateIs expected: ChallengeState) async throws -> Bool {
        let row = try await db.raw("""
            UPDATE challenges SET state = \(bind: c.state.rawValue), reason = \(bind: c.reason?.rawValue),
                answered_by = \(bind: c.answeredBy), answered_at = \(bind: c.answeredAt.map(Self.millis))
            WHERE id = \(bind: c.id) AND state = \(bind: expected.rawValue)
            RETURNING id
            """).first()
        return row != nil
    }

    public func pendingChallenges(userID: String) async throws -> [Challenge] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.challengeColumns) FROM challenges
            WHERE user_id = \(bind: userID) AND state = 'pending' ORDER BY created_at, id
            """).all().map(Self.challenge)
    }

    static func challenge(_ row: any SQLRow) throws -> Challenge {
        let contextJSON = try row.decode(column: "context", as: String.self)
        let context = (try? JSONDecoder().decode(ChallengeContext.self, from: Data(contextJSON.utf8)))
            ?? ChallengeContext(application: "", ipAddress: "", location: "", browser: "")
        return Challenge(
            id: try row.decode(column: "id", as: String.self),
            userID: try row.decode(column: "user_id", as: String.self),
            kind: ChallengeKind(rawValue: try row.decode(column: "kind", as: String.self)) ?? .mfa,
            number: try row.decode(column: "number", as: String.self),
            nonce: try row.decode(column: "nonce", as: String.self),
            context: context,
            createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: date(try row.decode(column: "expires_at", as: Int64.self)),
            state: ChallengeState(rawValue: try row.decode(column: "state", as: String.self)) ?? .withdrawn,
            reason: try row.decode(column: "reason", as: String?.self).flatMap(ChallengeReason.init(rawValue:)),
            targetDeviceID: try row.decode(column: "target_device_id", as: String?.self),
            answeredBy: try row.decode(column: "answered_by", as: String?.self),
            answeredAt: date(try row.decode(column: "answered_at", as: Int64?.self)),
            choices: try row.decode(column: "choices", as: String?.self).map { $0.split(separator: " ").map(String.init) },
            signInID: try row.decode(column: "sign_in_id", as: String?.self),
            suppressed: try row.decode(column: "suppressed", as: Int.self) != 0)
    }
}
