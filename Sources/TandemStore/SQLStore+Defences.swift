import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: DefenceStore {
    static let securityColumns = "pushes_since_success, last_push_at, push_locked_at, push_blocked_until, risk_level, risk_state, risk_detail, risk_updated_at"

    static func security(_ row: any SQLRow) throws -> UserSecurity {
        UserSecurity(pushesSinceSuccess: try row.decode(column: "pushes_since_success", as: Int.self),
                     lastPushAt: date(try row.decode(column: "last_push_at", as: Int64?.self)),
                     pushLockedAt: date(try row.decode(column: "push_locked_at", as: Int64?.self)),
                     pushBlockedUntil: date(try row.decode(column: "push_blocked_until", as: Int64?.self)),
                     riskLevel: try row.decode(column: "risk_level", as: String.self),
                     riskState: try row.decode(column: "risk_state", as: String.self),
                     riskDetail: try row.decode(column: "risk_detail", as: String?.self),
                     riskUpdatedAt: date(try row.decode(column: "risk_updated_at", as: Int64?.self)))
    }

    public func security(userID: String) async throws -> UserSecurity {
        try await db.raw("SELECT \(unsafeRaw: Self.securityColumns) FROM users WHERE id = \(bind: userID)").first().map(Self.security) ?? UserSecurity()
    }

    public func reservePush(userID: String, expected: UserSecurity, now: Date) async throws -> Bool {
        let last = expected.lastPushAt.map(Self.millis)
        let row: (any SQLRow)?
        if let last {
            row = try await db.raw("""
                UPDATE users SET pushes_since_success = pushes_since_success + 1, last_push_at = \(bind: Self.millis(now))
                WHERE id = \(bind: userID) AND pushes_since_success = \(bind: expected.pushesSinceSuccess) AND last_push_at = \(bind: last)
                RETURNING id
                """).first()
        } else {
            row = try await db.raw("""
                UPDATE users SET pushes_since_success = pushes_since_success + 1, last_push_at = \(bind: Self.millis(now))
                WHERE id = \(bind: userID) AND pushes_since_success = \(bind: expected.pushesSinceSuccess) AND last_push_at IS NULL
                RETURNING id
                """).first()
        }
        return row != nil
    }

    public func resetPushCounter(userID: String) async throws {
        try await db.raw("UPDATE users SET pushes_since_success = 0, push_failures = 0 WHERE id = \(bind: userID)").run()
    }

    public func lockPush(userID: String, at: Date) async throws {
        try await db.raw("UPDATE users SET push_locked_at = \(bind: Self.millis(at)) WHERE id = \(bind: userID) AND push_locked_at IS NULL").run()
    }

    public func blockPush(userID: String, until: Date, riskLevel: String, riskDetail: String, at: Date) async throws {
        try await db.raw("""
            UPDATE users SET push_blocked_until = \(bind: Self.millis(until)), risk_level = \(bind: riskLevel), risk_state = 'atRisk',
                risk_detail = \(bind: riskDetail), risk_updated_at = \(bind: Self.millis(at))
            WHERE id = \(bind: userID)
            """).run()
    }

    public func unblock(userID: String, at: Date) async throws {
        try await db.raw("""
            UPDATE users SET push_blocked_until = NULL, push_locked_at = NULL, push_failures = 0, pushes_since_success = 0,
                risk_level = 'none', risk_state = CASE WHEN risk_state = 'none' THEN 'none' ELSE 'dismissed' END,
                risk_detail = CASE WHEN risk_state = 'none' THEN risk_detail ELSE 'adminDismissedAllRiskForUser' END,
                risk_updated_at = \(bind: Self.millis(at))
            WHERE id = \(bind: userID)
            """).run()
    }

    public func riskyUsers() async throws -> [(User, UserSecurity)] {
        let rows = try await db.raw("""
            SELECT \(unsafeRaw: Self.userColumns), \(unsafeRaw: Self.securityColumns) FROM users
            WHERE risk_state <> 'none' OR push_locked_at IS NOT NULL OR push_blocked_until IS NOT NULL ORDER BY id
            """).all()
        return try rows.map { (try Self.user($0), try Self.security($0)) }
    }

    static let signInColumns = "id, created_at, updated_at, user_id, user_principal_name, app_display_name, app_id, ip_address, location, client_app, error_code, failure_reason, additional_details, policy_reason, steps"

    public func insertSignIn(_ r: SignInRecord) async throws {
        try await db.raw("""
            INSERT INTO sign_in_logs (\(unsafeRaw: Self.signInColumns))
            VALUES (\(bind: r.id), \(bind: Self.millis(r.createdAt)), \(bind: Self.millis(r.updatedAt)), \(bind: r.userID), \(bind: r.userPrincipalName),
                    \(bind: r.appDisplayName), \(bind: r.appID), \(bind: r.ipAddress), \(bind: r.location), \(bind: r.clientApp), \(bind: r.errorCode),
                    \(bind: r.failureReason), \(bind: r.additionalDetails), \(bind: r.policyReason), \(bind: Self.stepsJSON(r.steps)))
            """).run()
    }

    /// One `UPDATE … RETURNING`: the new steps are spliced into the stored JSON array as text
    /// (`[]` becomes the new array, `[…]` loses its `]` and gains `,step…]`), which reads the same
    /// on SQLite and PostgreSQL; the outcome and reason are set only when given.
    public func amendSignIn(_ a: SignInAmendment) async throws -> SignInRecord? {
        let added = Self.stepsJSON(a.steps)  // "[…]"
        let tail = "," + added.dropFirst()  // ",…]"
        let steps: SQLQueryString = a.steps.isEmpty ? "steps"
            : "CASE WHEN steps = '[]' THEN \(bind: added) ELSE substr(steps, 1, length(steps) - 1) || \(bind: String(tail)) END"
        let outcome: SQLQueryString = if let o = a.outcome {
            "error_code = \(bind: o.code), failure_reason = \(bind: o.reason), additional_details = \(bind: o.details),"
        } else { "" }
        let reason: SQLQueryString = if let r = a.policyReason { "policy_reason = \(bind: r)," } else { "" }
        return try await db.raw("""
            UPDATE sign_in_logs SET \(outcome) \(reason) updated_at = \(bind: Self.millis(a.at)), steps = \(steps)
            WHERE id = \(bind: a.id)
            RETURNING \(unsafeRaw: Self.signInColumns)
            """).first().map(Self.signIn)
    }

    public func signIn(id: String) async throws -> SignInRecord? {
        try await db.raw("SELECT \(unsafeRaw: Self.signInColumns) FROM sign_in_logs WHERE id = \(bind: id)").first().map(Self.signIn)
    }

    public func signIns(limit: Int, before: (Date, String)?) async throws -> [SignInRecord] {
        let rows: [any SQLRow]
        if let (time, id) = before {
            let t = Self.millis(time)
            rows = try await db.raw("""
                SELECT \(unsafeRaw: Self.signInColumns) FROM sign_in_logs
                WHERE created_at < \(bind: t) OR (created_at = \(bind: t) AND id < \(bind: id))
                ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)
                """).all()
        } else {
            rows = try await db.raw("SELECT \(unsafeRaw: Self.signInColumns) FROM sign_in_logs ORDER BY created_at DESC, id DESC LIMIT \(bind: limit)").all()
        }
        return try rows.map(Self.signIn)
    }

    static func stepsJSON(_ steps: [SignInStep]) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        return String(decoding: (try? encoder.encode(steps)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func signIn(_ row: any SQLRow) throws -> SignInRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        let steps = (try? decoder.decode([SignInStep].self, from: Data(try row.decode(column: "steps", as: String.self).utf8))) ?? []
        return SignInRecord(
            id: try row.decode(column: "id", as: String.self),
            createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: date(try row.decode(column: "updated_at", as: Int64.self)),
            userID: try row.decode(column: "user_id", as: String?.self),
            userPrincipalName: try row.decode(column: "user_principal_name", as: String.self),
            appDisplayName: try row.decode(column: "app_display_name", as: String.self),
            appID: try row.decode(column: "app_id", as: String?.self),
            ipAddress: try row.decode(column: "ip_address", as: String.self),
            location: try row.decode(column: "location", as: String.self),
            clientApp: try row.decode(column: "client_app", as: String.self),
            errorCode: try row.decode(column: "error_code", as: Int.self),
            failureReason: try row.decode(column: "failure_reason", as: String?.self),
            additionalDetails: try row.decode(column: "additional_details", as: String?.self),
            policyReason: try row.decode(column: "policy_reason", as: String?.self),
            steps: steps)
    }

    public func appendTrail(challengeID: String, _ e: TrailEvent) async throws {
        // One statement: seq = 1 + the highest so far, computed by the insert itself; retried on
        // the rare clash of two writers (the primary key refuses the second).
        for _ in 0..<5 {
            let inserted = try await db.raw("""
                INSERT INTO push_trail (challenge_id, seq, at, event, channel, device_id, detail)
                SELECT \(bind: challengeID), COALESCE(MAX(seq), 0) + 1, \(bind: Self.millis(e.at)), \(bind: e.event), \(bind: e.channel),
                       \(bind: e.deviceID), \(bind: e.detail)
                FROM push_trail WHERE challenge_id = \(bind: challengeID)
                ON CONFLICT DO NOTHING RETURNING seq
                """).first()
            if inserted != nil { return }
        }
    }

    public func trail(challengeID: String) async throws -> [TrailEvent] {
        try await db.raw("SELECT at, event, channel, device_id, detail FROM push_trail WHERE challenge_id = \(bind: challengeID) ORDER BY seq").all().map { row in
            TrailEvent(event: try row.decode(column: "event", as: String.self), at: Self.date(try row.decode(column: "at", as: Int64.self)),
                       channel: try row.decode(column: "channel", as: String?.self), deviceID: try row.decode(column: "device_id", as: String?.self),
                       detail: try row.decode(column: "detail", as: String?.self))
        }
    }

    public func challenges(signInID: String) async throws -> [Challenge] {
        try await db.raw("SELECT \(unsafeRaw: Self.challengeColumns) FROM challenges WHERE sign_in_id = \(bind: signInID) ORDER BY created_at, id").all().map(Self.challenge)
    }

    public func recordNetwork(userID: String, network: String, country: String?, at: Date) async throws {
        try await db.raw("""
            INSERT INTO user_networks (user_id, network, country, last_seen_at) VALUES (\(bind: userID), \(bind: network), \(bind: country), \(bind: Self.millis(at)))
            ON CONFLICT (user_id, network) DO UPDATE SET last_seen_at = excluded.last_seen_at, country = excluded.country
            """).run()
    }

    public func networks(userID: String) async throws -> [(network: String, country: String?)] {
        try await db.raw("SELECT network, country FROM user_networks WHERE user_id = \(bind: userID) ORDER BY network").all().map { row in
            (try row.decode(column: "network", as: String.self), try row.decode(column: "country", as: String?.self))
        }
    }

    public func insertNamedLocation(_ l: NamedLocation) async throws {
        try await db.raw("""
            INSERT INTO named_locations (id, display_name, ip_ranges, is_trusted, created_at)
            VALUES (\(bind: l.id), \(bind: l.displayName), \(bind: l.ipRanges.joined(separator: " ")), \(bind: l.isTrusted ? 1 : 0), \(bind: Self.millis(l.createdAt)))
            """).run()
    }

    public func namedLocations() async throws -> [NamedLocation] {
        try await db.raw("SELECT id, display_name, ip_ranges, is_trusted, created_at FROM named_locations ORDER BY created_at, id").all().map { row in
            NamedLocation(id: try row.decode(column: "id", as: String.self), displayName: try row.decode(column: "display_name", as: String.self),
                          ipRanges: try row.decode(column: "ip_ranges", as: String.self).split(separator: " ").map(String.init),
                          isTrusted: try row.decode(column: "is_trusted", as: Int.self) != 0,
                          createdAt: Self.date(try row.decode(column: "created_at", as: Int64.self)))
        }
    }

    public func deleteNamedLocation(id: String) async throws -> Bool {
        try await db.raw("DELETE FROM named_locations WHERE id = \(bind: id) RETURNING id").first() != nil
    }

    public func deleteSessions(userID: String) async throws {
        try await db.raw("DELETE FROM sessions WHERE user_id = \(bind: userID)").run()
    }
}
