import Foundation
import TandemCore

/// Who may do what in the admin API. Roles are read from the store at each request, so a removed
/// role takes effect at once.
public struct AdminAccess: Sendable {
    let env: ServiceEnvironment

    public init(env: ServiceEnvironment) { self.env = env }

    /// Changing the authentication-methods policy and the legacy MFA settings.
    public static let policyAdmins: [DirectoryRole] = [.globalAdministrator, .authenticationPolicyAdministrator]
    /// Users, groups and roles.
    public static let directoryAdmins: [DirectoryRole] = [.globalAdministrator]
    /// Reading the directory and the audit log.
    public static let readers: [DirectoryRole] = DirectoryRole.allCases
    /// A user's authentication methods.
    public static let methodAdmins: [DirectoryRole] = [.globalAdministrator, .authenticationAdministrator, .authenticationPolicyAdministrator]

    public func roles(of user: User) async throws -> Set<DirectoryRole> {
        Set(try await env.storage.roles(userID: user.id).compactMap(DirectoryRole.init(rawValue:)))
    }

    /// Throws `forbidden` unless `user` holds one of `roles`.
    public func require(_ user: User, anyOf roles: [DirectoryRole]) async throws {
        guard user.accountEnabled, !(try await self.roles(of: user)).isDisjoint(with: roles) else {
            throw TandemError(.forbidden, "Insufficient privileges to complete the operation.")
        }
    }

    /// Whether the user holds any admin role.
    public func isAdmin(_ user: User) async throws -> Bool {
        !(try await roles(of: user)).isEmpty
    }
}
