import Foundation
import TandemCore

/// Who may do what in the admin API. Roles are read from the store at each request, so a removed
/// role takes effect at once.
///
/// The boundary of the method-management roles lives here and only here
/// (`requireMayManageAuthentication`): the services that change a user's authentication
/// (Temporary Access Passes, authenticators, default method, password, per-user MFA, risk,
/// sign-in sessions) call it, so the Graph API, `tandem admin` and the admin pages share it.
public struct AdminAccess: Sendable {
    let env: ServiceEnvironment

    public init(env: ServiceEnvironment) { self.env = env }

    /// Changing the authentication-methods policy and the legacy MFA settings.
    public static let policyAdmins: [DirectoryRole] = [.globalAdministrator, .authenticationPolicyAdministrator]
    /// Users, groups and roles.
    public static let directoryAdmins: [DirectoryRole] = [.globalAdministrator]
    /// Reading the directory and the audit log.
    public static let readers: [DirectoryRole] = DirectoryRole.allCases
    /// A user's authentication methods — of users without an admin role, except for
    /// `privilegedMethodAdmins` (see `requireMayManageAuthentication`).
    public static let methodAdmins: [DirectoryRole] = [.globalAdministrator, .privilegedAuthenticationAdministrator,
                                                       .authenticationAdministrator, .authenticationPolicyAdministrator]
    /// The roles that may manage the authentication of administrators too (as in Entra).
    public static let privilegedMethodAdmins: [DirectoryRole] = [.globalAdministrator, .privilegedAuthenticationAdministrator]

    /// The caller's roles: a user's from the directory; an application acting for itself (client
    /// credentials, `OIDCAdminBearer`) from its registration.
    public func roles(of user: User) async throws -> Set<DirectoryRole> {
        let assigned = try await env.storage.roles(userID: user.id)
        if assigned.isEmpty, try await env.storage.user(id: user.id) == nil, let client = try await env.storage.oidcClient(clientID: user.id) {
            return Set(client.roles.compactMap(DirectoryRole.init(rawValue:)))
        }
        return Set(assigned.compactMap(DirectoryRole.init(rawValue:)))
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

    /// The boundary of the method-management roles (issue 10, finding 2). `actor` may change how
    /// `target` signs in (issue a Temporary Access Pass, delete an authenticator, change the default
    /// method or the per-user MFA state, reset the password, dismiss the risk, revoke the sessions)
    /// when:
    /// - `actor` is `nil`: the command line on the database (whoever runs it owns the store);
    /// - `actor` is `target`: a user's own methods, under the self-service rules;
    /// - `target` holds no admin role and `actor` holds a method-management role;
    /// - `target` holds an admin role and `actor` is a Global or Privileged Authentication Administrator.
    /// Otherwise 403: an Authentication (Policy) Administrator never acts on an administrator, so
    /// cannot take over a Global Administrator's account and with it his role.
    public func requireMayManageAuthentication(of target: User, by actor: User?) async throws {
        guard let actor, actor.id != target.id else { return }
        let held = try await roles(of: actor)
        guard actor.accountEnabled, !held.isDisjoint(with: Self.methodAdmins) else {
            throw TandemError(.forbidden, "Insufficient privileges to complete the operation.")
        }
        if try await isAdmin(target), held.isDisjoint(with: Self.privilegedMethodAdmins) {
            throw TandemError(.forbidden, "Insufficient privileges to complete the operation. \(target.userPrincipalName) holds an admin role: only a Global Administrator or a Privileged Authentication Administrator may change how they sign in.")
        }
    }

    /// Reading a user's authentication methods (the list, each method, the Temporary Access Passes,
    /// the sign-in preferences, the per-user MFA state): the same boundary as changing them. Entra's
    /// Authentication Administrator "can view, set and reset authentication method information for
    /// any non-admin user"; an administrator's methods are for a Global or Privileged
    /// Authentication Administrator to see (what an attacker with a lesser role would study first).
    public func requireMayReadAuthentication(of target: User, by actor: User?) async throws {
        try await requireMayManageAuthentication(of: target, by: actor)
    }

    /// Role assignment: only a Global Administrator (or the command line) assigns or removes roles,
    /// whatever route the request took.
    public func requireMayAssignRoles(by actor: User?) async throws {
        guard let actor else { return }
        try await require(actor, anyOf: Self.directoryAdmins)
    }
}
