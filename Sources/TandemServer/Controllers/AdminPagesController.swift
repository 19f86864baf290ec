import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The admin portal (`/admin`, decision 0021): server-rendered pages over the services the Graph
/// API uses, for signed-in users holding a directory role. Every role check goes through
/// `AdminAccess` (here via `AdminPortal.visitor`) and the services' own boundary checks; every
/// form carries the session's CSRF token. The pages themselves are split by area:
/// `+Logs` (sign-in and audit logs), `AdminDirectoryController` (users, groups),
/// `AdminMethodsController` (authentication methods, MFA service settings).
struct AdminPagesController: Sendable {
    let env: ServiceEnvironment
    let portal: AdminPortal
    var storage: any TandemStorage { env.storage }

    let oidcSettings: OIDCSettings

    init(signIn: SignInService, env: ServiceEnvironment, oidcSettings: OIDCSettings = OIDCSettings()) throws {
        self.env = env
        self.oidcSettings = oidcSettings
        self.portal = AdminPortal(signIn: signIn, access: AdminAccess(env: env), renderer: try AdminPortalRenderer())
    }

    func register(on router: Router<TandemRequestContext>) {
        router.get("/static/admin.css") { _, _ in AdminPortalRenderer.stylesheet() }
        router.get("/admin") { request, _ in
            let visitor = try await self.portal.visitor(request)
            return self.portal.page("overview", title: "Overview", section: .overview, visitor, try await self.overview())
        }
        registerLogs(on: router)
        registerLists(on: router)
        AdminDirectoryController(env: env, portal: portal).register(on: router)
        AdminMethodsController(env: env, portal: portal).register(on: router)
        AdminProtectionController(env: env, portal: portal).register(on: router)
        AdminApplicationsController(env: env, portal: portal, registry: OIDCClientRegistry(env: env, settings: oidcSettings)).register(on: router)
    }

    // MARK: overview

    func overview() async throws -> [String: Any] {
        let now = env.clock.now()
        var records: [SignInRecord] = []
        var cursor: (Date, String)? = nil
        // The last 7 days, newest first, in batches (bounded, so a flood of sign-ins cannot stall the page).
        scan: while records.count < 50_000 {
            let batch = try await storage.signIns(limit: 500, before: cursor)
            for record in batch {
                if now.timeIntervalSince(record.createdAt) > 7 * 86_400 { break scan }
                records.append(record)
            }
            guard batch.count == 500, let last = batch.last else { break }
            cursor = (last.createdAt, last.id)
        }
        let stats = AdminOverviewStatistics.compute(records, now: now)
        let users = try await storage.users()
        var unregistered = 0
        for user in users where try await !storage.devices(userID: user.id).contains(where: { $0.state == .active }) { unregistered += 1 }
        let blocked = try await storage.riskyUsers().filter { _, security in
            security.pushLockedAt != nil || (security.pushBlockedUntil.map { $0 > now } ?? false)
        }
        typealias Bar = AdminCharts.Bar
        func chart(_ id: String, _ title: String, column: String, _ bars: [Bar]) -> [String: Any] {
            let total = bars.reduce(0) { $0 + $1.value }
            return ["id": id, "title": title, "column": column, "svg": AdminCharts.bars(bars, id: id, title: title),
                    "rows": bars.map { ["label": $0.label, "value": $0.value, "share": AdminOverviewStatistics.percent($0.value, of: total)] }]
        }
        func results(_ counts: AdminOverviewStatistics.Counts) -> [Bar] {
            [Bar(label: "Success", value: counts.success, color: AdminCharts.green),
             Bar(label: "Failure", value: counts.failure, color: AdminCharts.red),
             Bar(label: "Interrupted", value: counts.interrupted, color: AdminCharts.grey)]
        }
        let palette = [AdminCharts.blue, AdminCharts.purple, AdminCharts.amber, AdminCharts.green, AdminCharts.grey]
        let methods = stats.methods.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.enumerated()
            .map { Bar(label: $1.key, value: $1.value, color: palette[$0 % palette.count]) }
        let pushColors = ["approved": AdminCharts.green, "denied": AdminCharts.red, "reported": AdminCharts.purple,
                          "timedOut": AdminCharts.amber, "other": AdminCharts.grey]
        let push = AdminOverviewStatistics.pushOutcomes.map {
            Bar(label: AdminOverviewStatistics.pushLabels[$0]!, value: stats.push[$0, default: 0], color: pushColors[$0]!)
        }
        return [
            "users": users.count, "unregistered": unregistered, "registered": users.count - unregistered,
            "unregisteredPercent": AdminOverviewStatistics.percent(unregistered, of: users.count),
            "blocks": blocked.count, "signIns24": stats.last24Hours.total,
            "blocked": blocked.map { user, security in
                ["id": user.id, "name": user.userPrincipalName,
                 "state": security.pushLockedAt != nil ? "push locked after failures" : "push blocked after a report"] as [String: Any]
            },
            "charts": [
                chart("chart-24h", "Sign-ins, last 24 hours, by result", column: "Result", results(stats.last24Hours)),
                chart("chart-7d", "Sign-ins, last 7 days, by result", column: "Result", results(stats.last7Days)),
                chart("chart-methods", "Sign-ins, last 7 days, by method", column: "Method", methods),
                chart("chart-push", "Push requests, last 7 days, by outcome", column: "Outcome", push),
            ],
        ]
    }

    // MARK: read-mostly lists

    func registerLists(on router: Router<TandemRequestContext>) {
        router.get("/admin/risky-users") { request, _ in
            let visitor = try await self.portal.visitor(request)
            return try await self.riskyUsers(visitor, saved: request.uri.queryParameters.get("saved") != nil ? "The risk was dismissed." : nil)
        }
        router.post("/admin/risky-users/{id}/dismiss") { request, context in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.methodAdmins)
            _ = try await self.portal.form(request, visitor)
            let user = try await DirectoryAdminService(env: self.env).user(try context.parameters.require("id"))
            do {
                try await ReportService(env: self.env).unblock(user, by: visitor.user)   // the boundary of decision 0012 is inside
            } catch let error as TandemError where error.code == .forbidden {
                return try await self.riskyUsers(visitor, error: error.message, status: .forbidden)
            }
            return Web.redirect("/admin/risky-users?saved=1")
        }
        router.get("/admin/named-locations") { request, _ in
            let visitor = try await self.portal.visitor(request)
            let saved = request.uri.queryParameters.get("saved").flatMap { ["added": "The location was created.", "deleted": "The location was deleted."][String($0)] }
            return try await self.namedLocations(visitor, saved: saved)
        }
        // Through NamedLocationService, the implementation and audit the Graph API uses.
        router.post("/admin/named-locations") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.policyAdmins)
            let form = try await self.portal.form(request, visitor)
            let ranges = (form["ipRanges"] ?? "").split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            do {
                _ = try await NamedLocationService(env: self.env).create(displayName: form["displayName"] ?? "", ipRanges: ranges,
                                                                         isTrusted: form["isTrusted"] == "on", by: visitor.user)
            } catch let error as TandemError where error.code == .badRequest {
                return try await self.namedLocations(visitor, error: error.message, status: .badRequest)
            }
            return Web.redirect("/admin/named-locations?saved=added")
        }
        router.post("/admin/named-locations/{id}/delete") { request, context in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.policyAdmins)
            let form = try await self.portal.form(request, visitor)
            let id = try context.parameters.require("id")
            guard form["confirm"] == "yes" else {
                let name = try await self.storage.namedLocations().first { $0.id == id }?.displayName ?? id
                return self.portal.page("confirm", title: "Delete named location", section: .namedLocations, visitor, [
                    "heading": "Delete named location", "action": "/admin/named-locations/\(id)/delete", "button": "Delete",
                    "message": "Delete \(name)? Sign-ins from its ranges are no longer treated as from this location.",
                    "back": "/admin/named-locations", "fields": [[String: String]]()])
            }
            try await NamedLocationService(env: self.env).delete(id: id, by: visitor.user)
            return Web.redirect("/admin/named-locations?saved=deleted")
        }
    }

    func namedLocations(_ visitor: AdminPortal.Visitor, saved: String? = nil, error: String? = nil,
                        status: HTTPResponse.Status = .ok) async throws -> Response {
        let mayManage = visitor.holds(AdminAccess.policyAdmins)
        let locations: [[String: Any]] = try await NamedLocationService(env: env).locations().map { location in
            ["id": location.id, "name": location.displayName, "trusted": location.isTrusted, "ranges": location.ipRanges.joined(separator: ", "),
             "mayManage": mayManage, "csrf": visitor.csrf]
        }
        var values: [String: Any] = ["locations": locations, "mayManage": mayManage]
        if let saved { values["saved"] = saved }
        if let error { values["error"] = error }
        return portal.page("namedLocations", title: "Named locations", section: .namedLocations, visitor, values, status: status)
    }

    func riskyUsers(_ visitor: AdminPortal.Visitor, saved: String? = nil, error: String? = nil,
                    status: HTTPResponse.Status = .ok) async throws -> Response {
        let mayDismiss = visitor.holds(AdminAccess.methodAdmins)
        let users: [[String: Any]] = try await storage.riskyUsers().map { user, security in
            let blockedUntil = security.pushLockedAt == nil ? security.pushBlockedUntil.flatMap { $0 > env.clock.now() ? $0 : nil } : nil
            let push = security.pushLockedAt != nil ? "Locked after failures" : blockedUntil != nil ? "Blocked until" : "Allowed"
            return ["id": user.id, "name": user.userPrincipalName, "level": security.riskLevel, "state": security.riskState,
                    "detail": security.riskDetail ?? "", "push": push, "blockedUntil": PageDate.optional(blockedUntil),
                    "updated": PageDate.optional(security.riskUpdatedAt),
                    "mayDismiss": mayDismiss, "csrf": visitor.csrf]
        }
        var values: [String: Any] = ["users": users]
        if let saved { values["saved"] = saved }
        if let error { values["error"] = error }
        return portal.page("riskyUsers", title: "Risky users", section: .riskyUsers, visitor, values, status: status)
    }
}
