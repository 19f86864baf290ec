import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Users (this file) and groups (`+Groups`): the same services as `/v1.0/users` and
/// `/v1.0/groups`, with the same role lists, and the services' own boundary checks (decision 0012)
/// for what changes how someone signs in. A refused action shows the service's message with 403.
struct AdminDirectoryController: Sendable {
    let env: ServiceEnvironment
    let portal: AdminPortal
    var admin: DirectoryAdminService { DirectoryAdminService(env: env) }
    var storage: any TandemStorage { env.storage }
    static let pageSize = 50

    func register(on router: Router<TandemRequestContext>) {
        router.get("/admin/users") { request, _ in
            try await self.users(request, try await self.portal.visitor(request))
        }
        router.post("/admin/users") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.directoryAdmins)
            let form = try await self.portal.form(request, visitor)
            let password = form["password"].flatMap { $0.isEmpty ? nil : $0 }
            let name = form["displayName"].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
            do {
                let user = try await self.admin.createUser(userPrincipalName: form["userPrincipalName"] ?? "", displayName: name,
                                                           password: password, accountEnabled: true, by: visitor.user)
                return Web.redirect("/admin/users/\(user.id)?saved=created")
            } catch let error as TandemError where [.badRequest, .conflict].contains(error.code) {
                return try await self.users(request, visitor, error: error.message, status: error.code == .conflict ? .conflict : .badRequest)
            }
        }
        router.get("/admin/users/{id}") { request, context in
            let visitor = try await self.portal.visitor(request)
            let user = try await self.admin.user(try context.parameters.require("id"))
            let saved = request.uri.queryParameters.get("saved").flatMap { Self.savedMessages[String($0)] }
            return try await self.user(user, visitor, saved: saved)
        }
        router.post("/admin/users/{id}/disable") { request, context in
            try await self.setEnabled(false, request, context)
        }
        router.post("/admin/users/{id}/enable") { request, context in
            try await self.setEnabled(true, request, context)
        }
        router.post("/admin/users/{id}/revoke-sessions") { request, context in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.methodAdmins)
            let form = try await self.portal.form(request, visitor)
            let user = try await self.admin.user(try context.parameters.require("id"))
            guard form["confirm"] == "yes" else {
                return self.confirm(visitor, heading: "Revoke sessions", action: "/admin/users/\(user.id)/revoke-sessions",
                                    message: "Sign \(user.userPrincipalName) out everywhere: every browser session, remembered browser, refresh token and admin token ends now.",
                                    button: "Revoke sessions", back: "/admin/users/\(user.id)")
            }
            return try await self.acting(on: user, visitor) {
                try await self.admin.revokeSignInSessions(of: user, by: visitor.user)   // boundary inside (decision 0012)
                return "revoked"
            }
        }
        router.post("/admin/users/{id}/temporary-access-pass") { request, context in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.methodAdmins)
            let form = try await self.portal.form(request, visitor)
            let user = try await self.admin.user(try context.parameters.require("id"))
            guard let minutes = Int(form["lifetimeInMinutes"] ?? "60") else {
                return try await self.user(user, visitor, error: "The lifetime must be a whole number of minutes.", status: .badRequest)
            }
            do {
                let issued = try await TemporaryAccessPassService(env: self.env).create(
                    for: user, .init(lifetimeMinutes: minutes, isUsableOnce: form["isUsableOnce"] == "on"), by: visitor.user)
                return try await self.user(user, visitor, pass: issued)
            } catch let error as TandemError where [.badRequest, .forbidden].contains(error.code) {
                return try await self.user(user, visitor, error: error.message, status: error.code == .forbidden ? .forbidden : .badRequest)
            }
        }
        registerGroups(on: router)
    }

    static let savedMessages = ["created": "The user was created.", "disabled": "The account was disabled.", "enabled": "The account was enabled.",
                                "revoked": "Every session of the user was revoked."]

    /// Disabling an account is a Global Administrator's (`PATCH /v1.0/users/{id}` with `accountEnabled`), after a confirmation.
    func setEnabled(_ enabled: Bool, _ request: Request, _ context: TandemRequestContext) async throws -> Response {
        let visitor = try await portal.visitor(request, anyOf: AdminAccess.directoryAdmins)
        let form = try await portal.form(request, visitor)
        let user = try await admin.user(try context.parameters.require("id"))
        if !enabled, form["confirm"] != "yes" {
            return confirm(visitor, heading: "Disable account", action: "/admin/users/\(user.id)/disable",
                           message: "\(user.userPrincipalName) will not be able to sign in until the account is enabled again.",
                           button: "Disable", back: "/admin/users/\(user.id)")
        }
        return try await acting(on: user, visitor) {
            _ = try await self.admin.updateUser(user, displayName: nil, accountEnabled: enabled, password: nil, mfaState: nil, by: visitor.user)
            return enabled ? "enabled" : "disabled"
        }
    }

    /// Runs a change; a refusal of the service (its boundary, its validation) shows on the user's page.
    func acting(on user: User, _ visitor: AdminPortal.Visitor, _ change: () async throws -> String) async throws -> Response {
        do {
            return Web.redirect("/admin/users/\(user.id)?saved=\(try await change())")
        } catch let error as TandemError where [.badRequest, .forbidden].contains(error.code) {
            return try await self.user(user, visitor, error: error.message, status: error.code == .forbidden ? .forbidden : .badRequest)
        }
    }

    func confirm(_ visitor: AdminPortal.Visitor, heading: String, action: String, message: String, button: String, back: String,
                 fields: [String: String] = [:], section: AdminNavigation.Section = .users) -> Response {
        portal.page("confirm", title: heading, section: section, visitor,
                    ["heading": heading, "action": action, "message": message, "button": button, "back": back,
                     "fields": fields.map { ["name": $0.key, "value": $0.value] }])
    }

    func users(_ request: Request, _ visitor: AdminPortal.Visitor, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let q = (request.uri.queryParameters.get("q").map { String($0) } ?? "").trimmingCharacters(in: .whitespaces)
        let unregisteredOnly = request.uri.queryParameters.get("filter") == "unregistered"
        var rows: [(User, Bool)] = []
        for user in try await storage.users().sorted(by: { $0.userPrincipalName.lowercased() < $1.userPrincipalName.lowercased() }) {
            if !q.isEmpty, !user.userPrincipalName.localizedCaseInsensitiveContains(q), !user.displayName.localizedCaseInsensitiveContains(q) { continue }
            let registered = try await storage.devices(userID: user.id).contains { $0.state == .active }
            if unregisteredOnly && registered { continue }
            rows.append((user, registered))
        }
        let pages = max(1, (rows.count + Self.pageSize - 1) / Self.pageSize)
        let page = min(max(1, Int(request.uri.queryParameters.get("page").map { String($0) } ?? "1") ?? 1), pages)
        func link(_ page: Int) -> String {
            var items = ["page=\(page)"]
            if !q.isEmpty { items.append("q=\(FormQuery.encode(q))") }
            if unregisteredOnly { items.append("filter=unregistered") }
            return items.joined(separator: "&")
        }
        var values: [String: Any] = [
            "q": q, "unregisteredOnly": unregisteredOnly, "total": rows.count, "pageNumber": page, "pages": pages,
            "mayCreate": visitor.holds(AdminAccess.directoryAdmins),
            "users": rows.dropFirst((page - 1) * Self.pageSize).prefix(Self.pageSize).map { user, registered -> [String: Any] in
                ["id": user.id, "name": user.displayName.isEmpty ? user.userPrincipalName : user.displayName, "upn": user.userPrincipalName,
                 "enabled": user.accountEnabled, "registered": registered, "mfa": user.mfaState.rawValue]
            },
        ]
        if page > 1 { values["previous"] = link(page - 1) }
        if page < pages { values["next"] = link(page + 1) }
        if let error { values["error"] = error }
        return portal.page("users", title: "Users", section: .users, visitor, values, status: status)
    }

    func user(_ user: User, _ visitor: AdminPortal.Visitor, saved: String? = nil, error: String? = nil,
              pass: (pass: TemporaryAccessPass, code: String)? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let date = PageDate.values, optional = PageDate.optional
        var groups: [[String: Any]] = []
        for id in try await storage.groupsContaining(memberID: user.id) {
            if let group = try await storage.group(id: id) { groups.append(["id": group.id, "name": group.displayName]) }
        }
        let roles = try await storage.roles(userID: user.id).compactMap { DirectoryRole(rawValue: $0)?.displayName }.sorted()
        let codes = Set(try await storage.totpCredentials(userID: user.id).map(\.deviceID))
        var methods: [[String: Any]] = []
        for device in try await storage.devices(userID: user.id) where device.state != .removed {
            var detail = "App \(device.appVersion), \(device.state.rawValue)"
            if device.phoneSignInKey != nil { detail += ", phone sign-in on" }
            methods.append(["kind": "Microsoft Authenticator", "name": device.name, "detail": detail, "created": date(device.createdAt),
                            "lastUsed": optional(device.lastUsedAt), "never": "Never"])
            if codes.contains(device.id) {
                methods.append(["kind": "Verification code (TOTP)", "name": device.name, "detail": "codes from the app", "created": date(device.createdAt),
                                "lastUsed": false, "never": ""])
            }
        }
        for passkey in try await storage.passkeys(userID: user.id) {
            methods.append(["kind": "Passkey (FIDO2)", "name": passkey.name, "detail": passkey.passkeyType, "created": date(passkey.createdAt),
                            "lastUsed": optional(passkey.lastUsedAt), "never": "Never"])
        }
        for app in try await storage.softwareOathMethods(userID: user.id) {
            methods.append(["kind": "Verification code (another app)", "name": app.name, "detail": "software OATH token", "created": date(app.createdAt),
                            "lastUsed": optional(app.lastUsedAt), "never": "Never"])
        }
        let now = env.clock.now()
        for tap in try await storage.temporaryAccessPasses(userID: user.id) {
            methods.append(["kind": "Temporary Access Pass", "name": tap.isUsableOnce ? "One-time" : "Multi-use", "detail": tap.usability(at: now).rawValue,
                            "created": date(tap.createdAt), "lastUsed": optional(tap.usedAt), "never": ""])
        }
        // The Graph API's read boundary (AdminAccess.requireMayReadAuthentication): an
        // administrator's methods only for a Global or Privileged Authentication Administrator.
        let mayReadMethods = (try? await AdminAccess(env: env).requireMayReadAuthentication(of: user, by: visitor.user)) != nil
        if !mayReadMethods { methods = [] }
        var signIns: [[String: Any]] = []
        var cursor: (Date, String)? = nil
        scan: for _ in 0..<20 {
            let batch = try await storage.signIns(limit: 500, before: cursor)
            for record in batch where record.userID == user.id {
                signIns.append(["id": record.id, "date": AdminPortalRenderer.date(record.createdAt), "iso": AdminPortalRenderer.isoDate(record.createdAt), "app": record.appDisplayName, "success": record.errorCode == 0,
                                "status": AdminPagesController.status(record), "ip": record.ipAddress])
                if signIns.count == 10 { break scan }
            }
            guard batch.count == 500, let last = batch.last else { break }
            cursor = (last.createdAt, last.id)
        }
        let security = try await storage.security(userID: user.id)
        let push = security.pushLockedAt != nil ? "Locked after failures"
            : (security.pushBlockedUntil.map { $0 > now } ?? false) ? "Blocked after a report" : "Allowed"
        var values: [String: Any] = [
            "id": user.id, "name": user.displayName.isEmpty ? user.userPrincipalName : user.displayName, "upn": user.userPrincipalName,
            "enabled": user.accountEnabled, "created": date(user.createdAt), "mfa": user.mfaState.rawValue,
            "preferred": user.preferredMethod ?? "System preferred", "push": push, "groups": groups, "roles": roles, "methods": methods,
            "signIns": signIns, "mayManageAccount": visitor.holds(AdminAccess.directoryAdmins),
            "mayManageMethods": visitor.holds(AdminAccess.methodAdmins), "methodsHidden": !mayReadMethods,
        ]
        if let saved { values["saved"] = saved }
        if let error { values["error"] = error }
        if let pass {
            values["pass"] = ["code": pass.code, "start": date(pass.pass.startAt), "minutes": pass.pass.lifetimeMinutes, "once": pass.pass.isUsableOnce]
        }
        return portal.page("user", title: user.userPrincipalName, section: .users, visitor, values, status: status)
    }
}
