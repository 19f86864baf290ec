import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The admin pages (signed-in administrators only): the Microsoft Authenticator policy like Entra's
/// page — Enable, Include (All users or groups, each with its authentication mode), Exclude, Save.
struct AdminPagesController: Sendable {
    let signIn: SignInService
    let policy: PolicyService
    let access: AdminAccess
    let storage: any TandemStorage
    let pages: PageRenderer

    func register(on router: Router<TandemRequestContext>) {
        router.get("/admin") { _, _ in Web.redirect("/admin/authenticator") }
        router.get("/admin/sign-ins") { request, _ in
            guard let (user, _) = try await self.signIn.user(sessionToken: Web.cookie(Web.sessionCookie, request)) else {
                throw TandemError(.unauthorized, "Sign in first.")
            }
            try await self.access.require(user, anyOf: AdminAccess.readers)
            let filter = request.uri.queryParameters.get("user").map { String($0).lowercased() } ?? ""
            let formatter = ISO8601DateFormatter()
            var records: [[String: Any]] = []
            for record in try await self.storage.signIns(limit: 1000, before: nil) where records.count < 200 {
                if !filter.isEmpty && record.userPrincipalName.lowercased() != filter { continue }
                records.append([
                    "date": formatter.string(from: record.createdAt), "user": record.userPrincipalName, "app": record.appDisplayName,
                    "ip": record.ipAddress, "location": record.location, "success": record.errorCode == 0,
                    "status": record.errorCode == 0 ? "Success" : "Failure (\(record.errorCode))",
                    "reason": (record.additionalDetails ?? record.failureReason) ?? "",
                    "steps": record.steps.map { ["method": $0.method, "detail": $0.detail] },
                    "policy": record.policyReason ?? "",
                ])
            }
            return self.pages.page("signInLog", title: "Sign-in logs", ["records": records, "user": filter])
        }
        router.get("/admin/authenticator") { request, _ in
            let (admin, session) = try await self.administrator(request)
            return try await self.render(admin: admin, csrf: Web.csrfToken(session: Web.cookie(Web.sessionCookie, request)),
                                         saved: request.uri.queryParameters.get("saved") != nil && session.userID == admin.id, error: nil)
        }
        router.post("/admin/authenticator") { request, _ in
            let (admin, _) = try await self.administrator(request)
            let form = try await Web.form(request)
            try Web.checkCSRF(form["csrf"], session: Web.cookie(Web.sessionCookie, request))
            var updated = try await self.policy.authenticatorPolicy()
            updated.state = form["enabled"] == "on" ? .enabled : .disabled
            let groups = try await self.storage.groups()
            func mode(_ id: String) throws -> AuthenticatorPolicy.Mode {
                guard let mode = AuthenticatorPolicy.Mode(rawValue: form["mode-\(id)"] ?? "any") else {
                    throw TandemError(.badRequest, "Unknown authentication mode.")
                }
                return mode
            }
            if form["target"] == "groups" {
                updated.includeTargets = try groups.filter { form["include-\($0.id)"] == "on" }
                    .map { AuthenticatorPolicy.IncludeTarget(targetType: .group, id: $0.id, authenticationMode: try mode($0.id)) }
            } else {
                updated.includeTargets = [AuthenticatorPolicy.IncludeTarget(targetType: .group, id: AuthenticatorPolicy.allUsers,
                                                                             authenticationMode: try mode(AuthenticatorPolicy.allUsers))]
            }
            let keptUsers = updated.excludeTargets.filter { $0.targetType == .user }
            updated.excludeTargets = keptUsers + groups.filter { form["exclude-\($0.id)"] == "on" }
                .map { AuthenticatorPolicy.ExcludeTarget(targetType: .group, id: $0.id) }
            do {
                try await self.policy.save(updated, by: admin)
            } catch let error as TandemError where error.code == .badRequest {
                return try await self.render(admin: admin, csrf: Web.csrfToken(session: Web.cookie(Web.sessionCookie, request)), saved: false,
                                             error: error.message)
            }
            return Web.redirect("/admin/authenticator?saved=1")
        }
    }

    func administrator(_ request: Request) async throws -> (User, Session) {
        guard let (user, session) = try await signIn.user(sessionToken: Web.cookie(Web.sessionCookie, request)) else {
            throw TandemError(.unauthorized, "Sign in first.")
        }
        try await access.require(user, anyOf: AdminAccess.policyAdmins)
        return (user, session)
    }

    func render(admin: User, csrf: String, saved: Bool, error: String?) async throws -> Response {
        let current = try await policy.authenticatorPolicy()
        let modeLabels: [(AuthenticatorPolicy.Mode, String)] = [(.any, "Any"), (.push, "Push"), (.deviceBasedPush, "Passwordless")]
        func modes(selected: AuthenticatorPolicy.Mode?) -> [[String: Any]] {
            modeLabels.map { ["value": $0.0.rawValue, "label": $0.1, "selected": $0.0 == (selected ?? .any)] }
        }
        let allTarget = current.includeTargets.first { $0.id == AuthenticatorPolicy.allUsers }
        let groups: [[String: Any]] = try await storage.groups().map { group in
            let target = current.includeTargets.first { $0.targetType == .group && $0.id == group.id }
            return ["id": group.id, "name": group.displayName, "included": target != nil, "modes": modes(selected: target?.authenticationMode),
                    "excluded": current.excludeTargets.contains { $0.targetType == .group && $0.id == group.id }]
        }
        var values: [String: Any] = ["admin": admin.userPrincipalName, "csrf": csrf, "enabled": current.state == .enabled,
                                     "allUsers": allTarget != nil, "allModes": modes(selected: allTarget?.authenticationMode),
                                     "groups": groups, "saved": saved]
        if let error { values["error"] = error }
        return pages.page("adminPolicy", title: "Microsoft Authenticator settings", values, status: error == nil ? .ok : .badRequest)
    }
}
