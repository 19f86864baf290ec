import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// What every admin page shares: who is asking (a signed-in user holding a directory role, read
/// from the store at each request through `AdminAccess`, the one place roles are decided), the
/// form token bound to that session, and the page frame with the left navigation.
struct AdminPortal: Sendable {
    let signIn: SignInService
    let access: AdminAccess
    let renderer: AdminPortalRenderer

    /// The signed-in administrator of one request.
    struct Visitor: Sendable {
        let user: User
        let session: Session
        let roles: Set<DirectoryRole>
        /// The token every form of the page carries (`Web.csrfToken` of the session cookie).
        let csrf: String
        let sessionCookie: String

        /// Whether the visitor holds one of `roles` (the role lists of `AdminAccess`).
        func holds(_ roles: [DirectoryRole]) -> Bool { !self.roles.isDisjoint(with: roles) }
    }

    /// The visitor, if signed in (401 otherwise) and holding any directory role (403 otherwise).
    func visitor(_ request: Request) async throws -> Visitor {
        let cookie = Web.cookie(Web.sessionCookie, request)
        guard let (user, session) = try await signIn.user(sessionToken: cookie) else {
            throw TandemError(.unauthorized, "Sign in first.")
        }
        try await access.require(user, anyOf: AdminAccess.readers)
        return Visitor(user: user, session: session, roles: try await access.roles(of: user),
                       csrf: Web.csrfToken(session: cookie), sessionCookie: cookie)
    }

    /// The visitor, who must hold one of `roles` (403 otherwise, from `AdminAccess`).
    func visitor(_ request: Request, anyOf roles: [DirectoryRole]) async throws -> Visitor {
        let visitor = try await visitor(request)
        try await access.require(visitor.user, anyOf: roles)
        return visitor
    }

    /// Reads a posted form and refuses it unless its token belongs to the visitor's session.
    func form(_ request: Request, _ visitor: Visitor) async throws -> [String: String] {
        let form = try await Web.form(request)
        try Web.checkCSRF(form["csrf"], session: visitor.sessionCookie)
        return form
    }

    /// Renders `name` inside the portal frame, with the navigation for the visitor's roles.
    func page(_ name: String, title: String, section: AdminNavigation.Section, _ visitor: Visitor, _ values: [String: Any],
              status: HTTPResponse.Status = .ok) -> Response {
        var values = values
        values["csrf"] = visitor.csrf
        return renderer.page(name, title: title, navigation: AdminNavigation.items(for: visitor.roles, current: section),
                             admin: visitor.user.userPrincipalName, roles: visitor.roles.map(\.displayName).sorted().joined(separator: ", "),
                             values, status: status)
    }
}
