import Foundation
import Logging
import TandemCore

/// Required authentication strengths (decision 0025): the administrator's requirements, kept as
/// one policy document (a JSON array, so no migration), changed by compare-and-set with the audit
/// entry in the same transaction (decision 0018), and what they demand of a user's sign-in.
public struct StrengthRequirementService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public static let documentID = "conditionalAccessPolicies"
    /// At most this many requirements (each sign-in evaluates them all).
    public static let limit = 64

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.policy")) {
        self.env = env
        self.logger = logger
    }

    public func requirements() async throws -> [StrengthRequirement] {
        Self.decode(try await env.policyDocument(id: Self.documentID))
    }

    public func requirement(id: String) async throws -> StrengthRequirement {
        guard let found = try await requirements().first(where: { $0.id == id }) else {
            throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return found
    }

    /// The strengths the requirements demand of `user`'s sign-in for `application` (an OIDC
    /// `client_id`; `nil`: Tandem's own pages), strongest first.
    public func required(for user: User, application: String?) async throws -> [AuthenticationStrength] {
        let all = try await requirements()
        guard all.contains(where: { $0.state == .enabled }) else { return [] }
        return StrengthRequirement.required(all, for: try await PolicyService(env: env).subject(for: user), application: application)
    }

    /// `required(for:application:)` by user id (no user read; group memberships only when a policy is on).
    public func required(userID: String, application: String?) async throws -> [AuthenticationStrength] {
        let all = try await requirements()
        guard all.contains(where: { $0.state == .enabled }) else { return [] }
        var seen: Set<String> = []
        var frontier = [userID]
        while let member = frontier.popLast() {
            for group in try await env.storage.groupsContaining(memberID: member) where !seen.contains(group) {
                seen.insert(group)
                frontier.append(group)
            }
        }
        return StrengthRequirement.required(all, for: PolicySubject(userID: userID, groupIDs: seen), application: application)
    }

    /// Adds a requirement (its id and creation time are the server's).
    public func create(_ draft: StrengthRequirement, by actor: User?) async throws -> StrengthRequirement {
        var made = draft
        made.id = env.random.uuid()
        made.createdAt = env.clock.now()
        made.modifiedAt = nil
        try await validate(made)
        try await change(by: actor, activity: "Add conditional access policy", operation: "Add", target: made) { $0 + [made] }
        return made
    }

    /// Changes a requirement by `edit` (a Graph PATCH).
    public func update(id: String, by actor: User?, _ edit: (StrengthRequirement) throws -> StrengthRequirement) async throws -> StrengthRequirement {
        var changed = try edit(try await requirement(id: id))
        changed.id = id
        changed.modifiedAt = env.clock.now()
        try await validate(changed)
        try await change(by: actor, activity: "Update conditional access policy", operation: "Update", target: changed) { list in
            guard let index = list.firstIndex(where: { $0.id == id }) else { throw TandemError(.notFound, "Resource '\(id)' does not exist.") }
            var list = list
            changed.createdAt = list[index].createdAt
            list[index] = changed
            return list
        }
        return changed
    }

    public func delete(id: String, by actor: User?) async throws {
        let target = try await requirement(id: id)
        try await change(by: actor, activity: "Delete conditional access policy", operation: "Delete", target: target) { list in
            guard list.contains(where: { $0.id == id }) else { throw TandemError(.notFound, "Resource '\(id)' does not exist.") }
            return list.filter { $0.id != id }
        }
    }

    /// Read, change, compare-and-set, with the audit entry in the same transaction; retried when
    /// another change came first.
    func change(by actor: User?, activity: String, operation: String, target: StrengthRequirement,
                _ edit: ([StrengthRequirement]) throws -> [StrengthRequirement]) async throws {
        for _ in 0..<8 {
            let stored = try await env.storage.policyDocument(id: Self.documentID)
            let old = Self.decode(stored)
            let new = try edit(old)
            guard new.count <= Self.limit else { throw TandemError(.badRequest, "At most \(Self.limit) conditional access policies.") }
            let (oldBody, newBody) = (Self.json(old.first { $0.id == target.id }), Self.json(new.first { $0.id == target.id }))
            let body = Self.json(new)
            let (now, env) = (env.clock.now(), env)
            let saved = try await env.transaction { env in
                guard try await env.storage.replacePolicyDocument(id: Self.documentID, body: body, updatedAt: now, ifBodyIs: stored) else { return false }
                try await Auditor(env: env).record("Policy", activity, operation, actor: actor, targetType: "Policy", targetID: target.id,
                                                   targetName: target.displayName, property: "conditionalAccessPolicy",
                                                   old: oldBody, new: newBody)
                return true
            }
            if saved {
                logger.info("conditional access policy changed", metadata: ["tandem.actor": "\(actor?.id ?? "cli")", "tandem.policy": "\(target.id)"])
                return
            }
        }
        throw TandemError(.conflict, "The policies are being changed by someone else; try again.")
    }

    func validate(_ r: StrengthRequirement) async throws {
        let name = r.displayName.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 256 else { throw TandemError(.badRequest, "displayName: 1 to 256 characters.") }
        guard !r.includeUsers.isEmpty || !r.includeGroups.isEmpty else {
            throw TandemError(.badRequest, "conditions.users: include at least one user or group (or All).")
        }
        guard !r.includeApplications.isEmpty else { throw TandemError(.badRequest, "conditions.applications.includeApplications: at least one application (or All).") }
        for list in [r.includeUsers, r.excludeUsers, r.includeGroups, r.excludeGroups, r.includeApplications] where list.count > 256 {
            throw TandemError(.badRequest, "conditions: at most 256 entries in a list.")
        }
        for (field, ids) in [("includeUsers", r.includeUsers), ("excludeUsers", r.excludeUsers)] {
            for id in ids where !(field == "includeUsers" && id == StrengthRequirement.all) {
                guard try await env.storage.user(id: id) != nil else { throw TandemError(.badRequest, "conditions.users.\(field): no user with id \(id).") }
            }
        }
        for (field, ids) in [("includeGroups", r.includeGroups), ("excludeGroups", r.excludeGroups)] {
            for id in ids {
                guard try await env.storage.group(id: id) != nil else { throw TandemError(.badRequest, "conditions.users.\(field): no group with id \(id).") }
            }
        }
        for id in r.includeApplications where id != StrengthRequirement.all {
            guard try await env.storage.oidcClient(clientID: id) != nil else {
                throw TandemError(.badRequest, "conditions.applications.includeApplications: no registered application with appId \(id).")
            }
        }
    }

    static func decode(_ body: String?) -> [StrengthRequirement] {
        guard let body else { return [] }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .millisecondsSince1970
        // A document that cannot be read is a failure to refuse with, not "no requirements" (fail closed).
        guard let list = try? decoder.decode([StrengthRequirement].self, from: Data(body.utf8)) else {
            return [StrengthRequirement(id: "unreadable", displayName: "unreadable", includeUsers: [StrengthRequirement.all],
                                        strength: .phishingResistantMFA, createdAt: Date(timeIntervalSince1970: 0))]
        }
        return list
    }

    static func json(_ value: some Encodable) -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .millisecondsSince1970
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }
}
