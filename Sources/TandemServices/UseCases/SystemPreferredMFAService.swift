import Foundation
import TandemCore

/// System-preferred MFA's setting (decision 0033): Graph's `systemCredentialPreferences` on the
/// authentication methods policy, one policy document. Read once per password sign-in (only then
/// is a second factor chosen); changed by policy administrators, with its audit entry in the same
/// transaction.
public struct SystemPreferredMFAService: Sendable {
    let env: ServiceEnvironment

    /// The policy document's id.
    public static let documentID = "systemCredentialPreferences"

    public init(env: ServiceEnvironment) { self.env = env }

    /// The setting as stored; Tandem's default (`default`, read as off) when there is none. A
    /// document that does not decode is read as off: the user's default method goes first, which
    /// is what Tandem did before (no method is weakened either way: the person chooses among the
    /// same ones).
    public func preferences() async throws -> SystemCredentialPreferences {
        guard let body = try await env.policyDocument(id: Self.documentID) else { return SystemCredentialPreferences() }
        return (try? JSONDecoder().decode(SystemCredentialPreferences.self, from: Data(body.utf8)))
            ?? SystemCredentialPreferences(state: .disabled)
    }

    /// Whether the strongest method goes first for `subject`.
    public func applies(to subject: PolicySubject) async throws -> Bool {
        try await preferences().applies(to: subject)
    }

    /// Saves a new setting (validated here, so Graph, the CLI and the pages share the rules).
    public func save(_ preferences: SystemCredentialPreferences, by actor: User?) async throws {
        try Self.validate(preferences)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = String(decoding: try encoder.encode(preferences), as: UTF8.self)
        let now = env.clock.now()
        try await env.transaction { env in  // the setting and its audit entry together (decision 0018)
            let old = try await env.storage.policyDocument(id: Self.documentID)
            try await env.storage.savePolicyDocument(id: Self.documentID, body: body, updatedAt: now)
            try await Auditor(env: env).record("Policy", "Update authentication methods policy", "Update", actor: actor, targetType: "Policy",
                                               targetID: Self.documentID, targetName: "System-preferred multifactor authentication",
                                               property: Self.documentID, old: old, new: body)
        }
    }

    /// Refuses a setting Tandem cannot keep: too many targets, an empty id, `all_users` as a user,
    /// or everyone excluded.
    public static func validate(_ preferences: SystemCredentialPreferences) throws {
        for (name, targets) in [("includeTargets", preferences.includeTargets), ("excludeTargets", preferences.excludeTargets)] {
            guard targets.count <= SystemCredentialPreferences.maxTargets else {
                throw TandemError(.badRequest, "systemCredentialPreferences.\(name) may hold at most \(SystemCredentialPreferences.maxTargets) targets.")
            }
            for target in targets where target.id.isEmpty || target.id.count > 256 {
                throw TandemError(.badRequest, "systemCredentialPreferences.\(name)[].id must be a user or group id, or all_users.")
            }
            for target in targets where target.targetType == .user && target.id == AuthenticatorPolicy.allUsers {
                throw TandemError(.badRequest, "systemCredentialPreferences.\(name)[]: all_users is a group target.")
            }
        }
        if preferences.excludeTargets.contains(where: { $0.id == AuthenticatorPolicy.allUsers }) {
            throw TandemError(.badRequest, "systemCredentialPreferences.excludeTargets cannot exclude all_users: set state to disabled instead.")
        }
    }
}
