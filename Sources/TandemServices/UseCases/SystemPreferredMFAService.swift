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
        try await document.read()
    }

    /// The setting with its entity tag (one read).
    public func tagged() async throws -> (preferences: SystemCredentialPreferences, etag: String) {
        let (value, etag) = try await document.readTagged()
        return (value, etag)
    }

    /// The one policy document (compare-and-set, `If-Match`, audited with the change; decision 0018).
    var document: MethodConfigurationDocument<SystemCredentialPreferences> {
        MethodConfigurationDocument(env: env, id: Self.documentID, standard: SystemCredentialPreferences(),
                                    unreadable: SystemCredentialPreferences(state: .disabled),
                                    name: "System-preferred multifactor authentication")
    }

    /// Whether the strongest method goes first for `subject`.
    public func applies(to subject: PolicySubject) async throws -> Bool {
        try await preferences().applies(to: subject)
    }

    /// Saves a new setting (validated here, so Graph, the CLI and the pages share the rules).
    public func save(_ preferences: SystemCredentialPreferences, by actor: User?) async throws {
        try await update(by: actor) { _ in preferences }
    }

    /// Changes the setting by `change` without losing a concurrent change; `412` when `ifMatch`
    /// no longer matches the stored document. Returns the new entity tag.
    @discardableResult
    public func update(ifMatch: String? = nil, by actor: User?,
                       _ change: (SystemCredentialPreferences) throws -> SystemCredentialPreferences) async throws -> String {
        try await document.updateTagged(ifMatch: ifMatch, by: actor, validate: { try Self.validate($0) }, change).etag
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
