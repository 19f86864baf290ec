import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: DirectoryStore {
    public func updateUser(_ user: User) async throws {
        try await db.raw("""
            UPDATE users SET display_name = \(bind: user.displayName), password_hash = \(bind: user.passwordHash),
                account_enabled = \(bind: user.accountEnabled ? 1 : 0), mfa_state = \(bind: user.mfaState.rawValue),
                preferred_method = \(bind: user.preferredMethod)
            WHERE id = \(bind: user.id)
            """).run()
    }

    static let groupColumns = "id, display_name, description, mail_nickname, security_enabled, created_at"

    public func insertGroup(_ g: Group) async throws {
        try await db.raw("""
            INSERT INTO groups (id, display_name, description, mail_nickname, security_enabled, created_at)
            VALUES (\(bind: g.id), \(bind: g.displayName), \(bind: g.description), \(bind: g.mailNickname),
                    \(bind: g.securityEnabled ? 1 : 0), \(bind: Self.millis(g.createdAt)))
            """).run()
    }

    public func group(id: String) async throws -> Group? {
        try await db.raw("SELECT \(unsafeRaw: Self.groupColumns) FROM groups WHERE id = \(bind: id)").first().map(Self.group)
    }

    public func groups() async throws -> [Group] {
        try await db.raw("SELECT \(unsafeRaw: Self.groupColumns) FROM groups ORDER BY created_at, id").all().map(Self.group)
    }

    public func updateGroup(_ g: Group) async throws {
        try await db.raw("""
            UPDATE groups SET display_name = \(bind: g.displayName), description = \(bind: g.description),
                mail_nickname = \(bind: g.mailNickname), security_enabled = \(bind: g.securityEnabled ? 1 : 0)
            WHERE id = \(bind: g.id)
            """).run()
    }

    public func deleteGroup(id: String) async throws {
        try await db.raw("DELETE FROM group_members WHERE group_id = \(bind: id) OR member_id = \(bind: id)").run()
        try await db.raw("DELETE FROM groups WHERE id = \(bind: id)").run()
    }

    public func addMember(groupID: String, member: GroupMember) async throws -> Bool {
        try await db.raw("""
            INSERT INTO group_members (group_id, member_id, member_type) VALUES (\(bind: groupID), \(bind: member.id), \(bind: member.kind.rawValue))
            ON CONFLICT DO NOTHING RETURNING member_id
            """).first() != nil
    }

    public func removeMember(groupID: String, memberID: String) async throws -> Bool {
        try await db.raw("DELETE FROM group_members WHERE group_id = \(bind: groupID) AND member_id = \(bind: memberID) RETURNING member_id").first() != nil
    }

    public func members(groupID: String) async throws -> [GroupMember] {
        try await db.raw("SELECT member_id, member_type FROM group_members WHERE group_id = \(bind: groupID) ORDER BY member_id").all().map { row in
            GroupMember(id: try row.decode(column: "member_id", as: String.self),
                        kind: GroupMember.Kind(rawValue: try row.decode(column: "member_type", as: String.self)) ?? .user)
        }
    }

    public func groupsContaining(memberID: String) async throws -> [String] {
        try await db.raw("SELECT group_id FROM group_members WHERE member_id = \(bind: memberID) ORDER BY group_id").all()
            .map { try $0.decode(column: "group_id", as: String.self) }
    }

    public func assignRole(_ roleID: String, userID: String) async throws -> Bool {
        try await db.raw("""
            INSERT INTO role_assignments (role_id, user_id) VALUES (\(bind: roleID), \(bind: userID))
            ON CONFLICT DO NOTHING RETURNING user_id
            """).first() != nil
    }

    public func unassignRole(_ roleID: String, userID: String) async throws -> Bool {
        try await db.raw("DELETE FROM role_assignments WHERE role_id = \(bind: roleID) AND user_id = \(bind: userID) RETURNING user_id").first() != nil
    }

    public func roleMembers(_ roleID: String) async throws -> [String] {
        try await db.raw("SELECT user_id FROM role_assignments WHERE role_id = \(bind: roleID) ORDER BY user_id").all()
            .map { try $0.decode(column: "user_id", as: String.self) }
    }

    public func roles(userID: String) async throws -> [String] {
        try await db.raw("SELECT role_id FROM role_assignments WHERE user_id = \(bind: userID) ORDER BY role_id").all()
            .map { try $0.decode(column: "role_id", as: String.self) }
    }

    static func group(_ row: any SQLRow) throws -> Group {
        Group(id: try row.decode(column: "id", as: String.self),
              displayName: try row.decode(column: "display_name", as: String.self),
              description: try row.decode(column: "description", as: String?.self),
              mailNickname: try row.decode(column: "mail_nickname", as: String.self),
              securityEnabled: try row.decode(column: "security_enabled", as: Int.self) != 0,
              createdAt: date(try row.decode(column: "created_at", as: Int64.self)))
    }
}

extension SQLStore: PolicyStore {
    public func policyDocument(id: String) async throws -> String? {
        try await db.raw("SELECT body FROM policies WHERE id = \(bind: id)").first()?.decode(column: "body", as: String.self)
    }

    public func policyDocuments() async throws -> [String: String] {
        var documents: [String: String] = [:]
        for row in try await db.raw("SELECT id, body FROM policies").all() {
            documents[try row.decode(column: "id", as: String.self)] = try row.decode(column: "body", as: String.self)
        }
        return documents
    }

    public func savePolicyDocument(id: String, body: String, updatedAt: Date) async throws {
        try await db.raw("""
            INSERT INTO policies (id, body, updated_at) VALUES (\(bind: id), \(bind: body), \(bind: Self.millis(updatedAt)))
            ON CONFLICT (id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at
            """).run()
    }
}

extension SQLStore: AuditStore {
    static let auditColumns = "id, activity_at, category, activity, operation_type, initiated_by_id, initiated_by_name, target_type, target_id, target_name, property, old_value, new_value, result"

    public func insertAudit(_ e: AuditEntry) async throws {
        try await db.raw("""
            INSERT INTO audit_logs (\(unsafeRaw: Self.auditColumns))
            VALUES (\(bind: e.id), \(bind: Self.millis(e.activityAt)), \(bind: e.category), \(bind: e.activity), \(bind: e.operationType),
                    \(bind: e.initiatedByID), \(bind: e.initiatedByName), \(bind: e.targetType), \(bind: e.targetID), \(bind: e.targetName),
                    \(bind: e.property), \(bind: e.oldValue), \(bind: e.newValue), \(bind: e.result))
            """).run()
    }

    public func audits(limit: Int, before: (Date, String)?) async throws -> [AuditEntry] {
        let rows: [any SQLRow]
        if let (time, id) = before {
            let t = Self.millis(time)
            rows = try await db.raw("""
                SELECT \(unsafeRaw: Self.auditColumns) FROM audit_logs
                WHERE activity_at < \(bind: t) OR (activity_at = \(bind: t) AND id < \(bind: id))
                ORDER BY activity_at DESC, id DESC LIMIT \(bind: limit)
                """).all()
        } else {
            rows = try await db.raw("SELECT \(unsafeRaw: Self.auditColumns) FROM audit_logs ORDER BY activity_at DESC, id DESC LIMIT \(bind: limit)").all()
        }
        return try rows.map { row in
            AuditEntry(id: try row.decode(column: "id", as: String.self),
                       activityAt: Self.date(try row.decode(column: "activity_at", as: Int64.self)),
                       category: try row.decode(column: "category", as: String.self),
                       activity: try row.decode(column: "activity", as: String.self),
                       operationType: try row.decode(column: "operation_type", as: String.self),
                       initiatedByID: try row.decode(column: "initiated_by_id", as: String?.self),
                       initiatedByName: try row.decode(column: "initiated_by_name", as: String?.self),
                       targetType: try row.decode(column: "target_type", as: String.self),
                       targetID: try row.decode(column: "target_id", as: String.self),
                       targetName: try row.decode(column: "target_name", as: String?.self),
                       property: try row.decode(column: "property", as: String?.self),
                       oldValue: try row.decode(column: "old_value", as: String?.self),
                       newValue: try row.decode(column: "new_value", as: String?.self),
                       result: try row.decode(column: "result", as: String.self))
        }
    }
}

extension SQLStore: SecretStore {
    public func signingKeys(purpose: String) async throws -> [StoredSigningKey] {
        try await db.raw("SELECT kid, purpose, private_key, created_at FROM signing_keys WHERE purpose = \(bind: purpose) ORDER BY created_at, kid").all().map { row in
            StoredSigningKey(kid: try row.decode(column: "kid", as: String.self), purpose: try row.decode(column: "purpose", as: String.self),
                             privateKey: try row.decode(column: "private_key", as: String.self),
                             createdAt: Self.date(try row.decode(column: "created_at", as: Int64.self)))
        }
    }

    public func insertSigningKey(_ key: StoredSigningKey) async throws {
        try await db.raw("""
            INSERT INTO signing_keys (kid, purpose, private_key, created_at)
            VALUES (\(bind: key.kid), \(bind: key.purpose), \(bind: key.privateKey), \(bind: Self.millis(key.createdAt)))
            ON CONFLICT DO NOTHING
            """).run()
    }

    public func insertRememberedBrowser(id: String, userID: String, expiresAt: Date) async throws {
        try await db.raw("INSERT INTO remembered_browsers (id, user_id, expires_at) VALUES (\(bind: id), \(bind: userID), \(bind: Self.millis(expiresAt)))").run()
    }

    public func rememberedBrowser(id: String, now: Date) async throws -> String? {
        try await db.raw("SELECT user_id FROM remembered_browsers WHERE id = \(bind: id) AND expires_at > \(bind: Self.millis(now))").first()?
            .decode(column: "user_id", as: String.self)
    }
}
