import Foundation
import TandemCore
import TandemServices

extension InMemoryStorage {
    public func updateUser(_ user: User) {
        guard var stored = usersByID[user.id] else { return }
        stored.displayName = user.displayName
        stored.passwordHash = user.passwordHash
        stored.accountEnabled = user.accountEnabled
        stored.mfaState = user.mfaState
        stored.preferredMethod = user.preferredMethod
        usersByID[user.id] = stored
    }

    public func insertGroup(_ group: Group) throws {
        guard groupsByID[group.id] == nil else { throw TandemError(.conflict, "Duplicate group.") }
        groupsByID[group.id] = group
    }
    public func group(id: String) -> Group? { groupsByID[id] }
    public func groups() -> [Group] { groupsByID.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) } }
    public func updateGroup(_ group: Group) { if groupsByID[group.id] != nil { groupsByID[group.id] = group } }
    public func deleteGroup(id: String) {
        groupsByID[id] = nil
        membership.removeAll { $0.group == id || $0.member.id == id }
    }
    public func addMember(groupID: String, member: GroupMember) -> Bool {
        guard !membership.contains(where: { $0.group == groupID && $0.member.id == member.id }) else { return false }
        membership.append((groupID, member))
        return true
    }
    public func removeMember(groupID: String, memberID: String) -> Bool {
        let before = membership.count
        membership.removeAll { $0.group == groupID && $0.member.id == memberID }
        return membership.count != before
    }
    public func members(groupID: String) -> [GroupMember] {
        membership.filter { $0.group == groupID }.map(\.member).sorted { $0.id < $1.id }
    }
    public func groupsContaining(memberID: String) -> [String] {
        membership.filter { $0.member.id == memberID }.map(\.group).sorted()
    }
    public func assignRole(_ roleID: String, userID: String) -> Bool { roleAssignments.insert("\(roleID) \(userID)").inserted }
    public func unassignRole(_ roleID: String, userID: String) -> Bool { roleAssignments.remove("\(roleID) \(userID)") != nil }
    public func roleMembers(_ roleID: String) -> [String] {
        roleAssignments.compactMap { $0.hasPrefix(roleID + " ") ? String($0.dropFirst(roleID.count + 1)) : nil }.sorted()
    }
    public func roles(userID: String) -> [String] {
        roleAssignments.compactMap { $0.hasSuffix(" " + userID) ? String($0.dropLast(userID.count + 1)) : nil }.sorted()
    }

    public func policyDocument(id: String) -> String? { policies[id] }
    public func policyDocuments() -> [String: String] { policies }
    public func savePolicyDocument(id: String, body: String, updatedAt: Date) { policies[id] = body }

    public func insertAudit(_ entry: AuditEntry) { auditLog.append(entry) }
    public func audits(limit: Int, before: (Date, String)?) -> [AuditEntry] {
        auditLog.sorted { ($0.activityAt, $0.id) > ($1.activityAt, $1.id) }
            .filter { entry in before.map { (entry.activityAt, entry.id) < $0 } ?? true }
            .prefix(limit).map { $0 }
    }

    public func signingKeys(purpose: String) -> [StoredSigningKey] {
        signingKeyList.filter { $0.purpose == purpose }.sorted { ($0.createdAt, $0.kid) < ($1.createdAt, $1.kid) }
    }
    public func insertSigningKey(_ key: StoredSigningKey) {
        if !signingKeyList.contains(where: { $0.kid == key.kid }) { signingKeyList.append(key) }
    }
    public func insertRememberedBrowser(id: String, userID: String, expiresAt: Date) { remembered[id] = (userID, expiresAt) }
    public func rememberedBrowser(id: String, now: Date) -> String? {
        guard let (user, expiry) = remembered[id], expiry > now else { return nil }
        return user
    }
}
