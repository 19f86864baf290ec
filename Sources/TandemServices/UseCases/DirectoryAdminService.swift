import Foundation
import Logging
import TandemCore

/// Administration of users, groups, roles and authentication methods, every change audited.
/// Callers check `AdminAccess` first; `actor` is `nil` for the command line.
public struct DirectoryAdminService: Sendable {
    let env: ServiceEnvironment
    let audit: Auditor
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.admin")) {
        self.env = env
        self.audit = Auditor(env: env)
        self.logger = logger
    }

    // MARK: users

    /// Creates a user and audits it, in one transaction (the password is hashed before it).
    public func createUser(userPrincipalName: String, displayName: String?, password: String?, accountEnabled: Bool, by actor: User?) async throws -> User {
        var user = try await DirectoryService(env: env).newUser(userPrincipalName: userPrincipalName, displayName: displayName, password: password)
        user.accountEnabled = accountEnabled
        let stored = user
        try await env.transaction { env in
            try await env.storage.insertUser(stored)
            try await Auditor(env: env).record("UserManagement", "Add user", "Add", actor: actor, targetType: "User", targetID: stored.id,
                                               targetName: stored.userPrincipalName, property: "accountEnabled", new: String(accountEnabled))
        }
        Logger(label: "tandem.directory").info("user created", metadata: ["tandem.user": "\(user.id)"])
        return user
    }

    /// Finds a user by object id or user principal name.
    public func user(_ idOrName: String) async throws -> User {
        if let user = try await env.storage.user(id: idOrName) { return user }
        if let user = try await env.storage.user(principalName: idOrName) { return user }
        throw TandemError(.notFound, "Resource '\(idOrName)' does not exist or one of its queried reference-property objects are not present.")
    }

    /// Changes display name, enabled state, password or per-user MFA state; audits each change.
    /// Changing the password, the per-user MFA state or the default method is acting on how the
    /// user signs in: `AdminAccess.requireMayManageAuthentication` decides. A password set by
    /// someone else ends every session of the user (`SessionRevocation`).
    public func updateUser(_ user: User, displayName: String?, accountEnabled: Bool?, password: String?, mfaState: MFAState?,
                           preferredMethod: String?? = nil, by actor: User?) async throws -> User {
        if password != nil || mfaState != nil || preferredMethod != nil {
            try await AdminAccess(env: env).requireMayManageAuthentication(of: user, by: actor)
        }
        var updated = user
        if let displayName {
            guard (1...256).contains(displayName.count) else { throw TandemError(.badRequest, "displayName must be 1 to 256 characters.") }
            updated.displayName = displayName
        }
        if let accountEnabled { updated.accountEnabled = accountEnabled }
        if let password {
            guard password.count >= 8 else { throw TandemError(.badRequest, "passwordProfile.password must be at least 8 characters.") }
            updated.passwordHash = try await env.passwords.hash(password)
        }
        if let mfaState { updated.mfaState = mfaState }
        if let preferredMethod { updated.preferredMethod = preferredMethod }
        // The change, its audit entries and the ended sessions commit together (decision 0018).
        let (final, logger) = (updated, logger)
        let revokes = password != nil && actor?.id != user.id
        try await env.transaction { env in
            try await env.storage.updateUser(final)
            let audit = Auditor(env: env)
            for (property, old, new) in [("displayName", user.displayName, final.displayName),
                                         ("accountEnabled", String(user.accountEnabled), String(final.accountEnabled)),
                                         ("strongAuthenticationRequirements", user.mfaState.rawValue, final.mfaState.rawValue),
                                         ("preferredMethod", user.preferredMethod ?? "", final.preferredMethod ?? "")] where old != new {
                try await audit.record("UserManagement", "Update user", "Update", actor: actor, targetType: "User", targetID: user.id,
                                       targetName: user.userPrincipalName, property: property, old: old, new: new)
            }
            if password != nil {
                try await audit.record("UserManagement", "Reset user password", "Update", actor: actor, targetType: "User", targetID: user.id,
                                       targetName: user.userPrincipalName, property: "password")
            }
            if revokes { try await SessionRevocation(env: env, logger: logger).revokeStored(userID: user.id, reason: .passwordReset, by: actor) }
        }
        if revokes { try await SessionRevocation(env: env, logger: logger).revokeBeyondStore(userID: user.id, reason: .passwordReset) }
        return updated
    }

    // MARK: groups

    public func createGroup(displayName: String, description: String?, mailNickname: String?, by actor: User?) async throws -> Group {
        let name = displayName.trimmingCharacters(in: .whitespaces)
        guard (1...256).contains(name.count) else { throw TandemError(.badRequest, "displayName must be 1 to 256 characters.") }
        let nickname = mailNickname ?? name.filter { $0.isLetter || $0.isNumber }
        let group = Group(id: env.random.uuid(), displayName: name, description: description, mailNickname: nickname.isEmpty ? "group" : nickname,
                          createdAt: env.clock.now())
        try await env.transaction { env in
            try await env.storage.insertGroup(group)
            try await Auditor(env: env).record("GroupManagement", "Add group", "Add", actor: actor, targetType: "Group", targetID: group.id,
                                               targetName: group.displayName)
        }
        return group
    }

    public func group(_ id: String) async throws -> Group {
        guard let group = try await env.storage.group(id: id) else {
            throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return group
    }

    public func deleteGroup(_ group: Group, by actor: User?) async throws {
        try await env.transaction { env in
            try await env.storage.deleteGroup(id: group.id)
            try await Auditor(env: env).record("GroupManagement", "Delete group", "Delete", actor: actor, targetType: "Group", targetID: group.id,
                                               targetName: group.displayName)
        }
    }

    /// Adds a user or a group to a group. Refuses a group that would contain itself. The cycle
    /// check, the membership and its audit entry are one transaction.
    public func addMember(_ memberID: String, to group: Group, by actor: User?) async throws {
        let logger = logger
        try await env.transaction { env in
            try await DirectoryAdminService(env: env, logger: logger).addMemberNow(memberID, to: group, by: actor)
        }
    }

    func addMemberNow(_ memberID: String, to group: Group, by actor: User?) async throws {
        let member: GroupMember
        var memberName: String
        if let user = try await env.storage.user(id: memberID) {
            member = GroupMember(id: user.id, kind: .user)
            memberName = user.userPrincipalName
        } else if let nested = try await env.storage.group(id: memberID) {
            guard nested.id != group.id, !(try await contains(nested.id, transitively: group.id)) else {
                throw TandemError(.badRequest, "Adding this group would create a membership cycle.")
            }
            member = GroupMember(id: nested.id, kind: .group)
            memberName = nested.displayName
        } else {
            throw TandemError(.notFound, "Resource '\(memberID)' does not exist or one of its queried reference-property objects are not present.")
        }
        guard try await env.storage.addMember(groupID: group.id, member: member) else {
            throw TandemError(.badRequest, "One or more added object references already exist for the following modified properties: 'members'.")
        }
        memberName = memberName.isEmpty ? member.id : memberName
        try await audit.record("GroupManagement", "Add member to group", "Assign", actor: actor, targetType: "Group", targetID: group.id,
                               targetName: group.displayName, property: "members", new: memberName)
    }

    public func removeMember(_ memberID: String, from group: Group, by actor: User?) async throws {
        try await env.transaction { env in
            guard try await env.storage.removeMember(groupID: group.id, memberID: memberID) else {
                throw TandemError(.notFound, "Resource '\(memberID)' is not a member of the group.")
            }
            try await Auditor(env: env).record("GroupManagement", "Remove member from group", "Unassign", actor: actor, targetType: "Group",
                                               targetID: group.id, targetName: group.displayName, property: "members", old: memberID)
        }
    }

    /// Whether `groupID` contains `memberID` directly or through nested groups.
    func contains(_ groupID: String, transitively memberID: String) async throws -> Bool {
        var seen: Set<String> = []
        var frontier = [groupID]
        while let current = frontier.popLast() {
            for member in try await env.storage.members(groupID: current) {
                if member.id == memberID { return true }
                if member.kind == .group, seen.insert(member.id).inserted { frontier.append(member.id) }
            }
        }
        return false
    }

    // MARK: roles

    public func assign(_ role: DirectoryRole, to user: User, by actor: User?) async throws {
        try await AdminAccess(env: env).requireMayAssignRoles(by: actor)
        try await env.transaction { env in
            guard try await env.storage.assignRole(role.rawValue, userID: user.id) else {
                throw TandemError(.badRequest, "One or more added object references already exist for the following modified properties: 'members'.")
            }
            try await Auditor(env: env).record("RoleManagement", "Add member to role", "Assign", actor: actor, targetType: "User", targetID: user.id,
                                               targetName: user.userPrincipalName, property: "Role.DisplayName", new: role.displayName)
        }
    }

    public func unassign(_ role: DirectoryRole, from user: User, by actor: User?) async throws {
        try await AdminAccess(env: env).requireMayAssignRoles(by: actor)
        try await env.transaction { env in
            guard try await env.storage.unassignRole(role.rawValue, userID: user.id) else {
                throw TandemError(.notFound, "The user is not a member of the role.")
            }
            try await Auditor(env: env).record("RoleManagement", "Remove member from role", "Unassign", actor: actor, targetType: "User",
                                               targetID: user.id, targetName: user.userPrincipalName, property: "Role.DisplayName", old: role.displayName)
        }
    }

    // MARK: methods

    /// Removes an authenticator: it can no longer answer or list, its pending requests are withdrawn
    /// and its channels closed. Removed by someone else (an administrator, the command line), every
    /// session of the user ends too; the user's own removal is the security-info page's to handle.
    public func removeDevice(_ device: Device, of user: User, by actor: User?) async throws {
        try await AdminAccess(env: env).requireMayManageAuthentication(of: user, by: actor)
        var removed = device
        removed.state = .removed
        removed.phoneSignInKey = nil
        // The removal, the withdrawn requests, its audit entry and the ended sessions are one
        // transaction (decision 0018); the channels close and the phones hear after it commits.
        let (final, logger) = (removed, logger)
        let revokes = actor?.id != user.id
        let withdrawn = try await env.transaction { env in
            try await env.storage.updateDevice(final)
            try await env.storage.deleteTOTPSecret(deviceID: device.id)
            _ = try await env.storage.deleteWebPushSubscription(deviceID: device.id)
            let challenges = ChallengeService(env: env)
            let remaining = try await env.storage.devices(userID: user.id)
            var withdrawn: [Challenge] = []
            for pending in try await env.storage.pendingChallenges(userID: user.id) {
                let answerable = remaining.contains { $0.mayAnswer(pending.kind) && (pending.targetDeviceID == nil || pending.targetDeviceID == $0.id) }
                if !answerable, let done = try await challenges.withdrawStored(challengeID: pending.id, reason: .cancelled) { withdrawn.append(done) }
            }
            try await Auditor(env: env).record("UserAuthenticationMethod", "Delete Microsoft Authenticator method", "Delete", actor: actor,
                                               targetType: "User", targetID: user.id, targetName: user.userPrincipalName,
                                               property: "microsoftAuthenticatorMethods", old: device.name)
            if revokes { try await SessionRevocation(env: env, logger: logger).revokeStored(userID: user.id, reason: .authenticatorRemoved, by: actor) }
            return withdrawn
        }
        let challenges = ChallengeService(env: env)
        for done in withdrawn { await challenges.finished(done) }
        await env.push.disconnect(deviceID: device.id)
        logger.info("authenticator removed", metadata: ["tandem.user": "\(user.id)", "tandem.device": "\(device.id)"])
        if revokes { try await SessionRevocation(env: env, logger: logger).revokeBeyondStore(userID: user.id, reason: .authenticatorRemoved) }
    }

    // MARK: sessions

    /// Graph's `revokeSignInSessions`: ends every session, refresh token, remembered-MFA browser
    /// and admin token of the user, within the method-management boundary.
    public func revokeSignInSessions(of user: User, by actor: User?) async throws {
        try await AdminAccess(env: env).requireMayManageAuthentication(of: user, by: actor)
        try await SessionRevocation(env: env, logger: logger).revokeEverything(userID: user.id, reason: .administratorRevoked, by: actor)
    }
}
