import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Protection settings: push protection (`tandemPushProtection`) and sign-in protection
/// (`tandemSignInProtection`), each saved through its service, whose validation and audit the
/// Graph PATCH and `tandem admin` share. A field that is not a whole number is refused here,
/// before the service sees it.
struct AdminProtectionController: Sendable {
    let env: ServiceEnvironment
    let portal: AdminPortal

    /// One number of a settings struct. `@unchecked`: a key path is an immutable value (Swift 6.3
    /// does not mark `WritableKeyPath` `Sendable`).
    struct Field<S>: @unchecked Sendable {
        let name: String
        let label: String
        let path: WritableKeyPath<S, Int>
    }

    static let push: [Field<PushProtectionSettings>] = [
        .init(name: "maxPendingPerUser", label: "Pending requests a user may have at once (1–20)", path: \.maxPendingPerUser),
        .init(name: "freePushes", label: "Pushes since the last success before waits start (1–100)", path: \.freePushes),
        .init(name: "baseDelaySeconds", label: "First wait, seconds (doubles with each push)", path: \.baseDelaySeconds),
        .init(name: "maxDelaySeconds", label: "Longest wait, seconds", path: \.maxDelaySeconds),
        .init(name: "failureLockThreshold", label: "Failures that lock push for the user (1–100)", path: \.failureLockThreshold),
    ]
    static let signIn: [Field<SignInProtectionSettings>] = [
        .init(name: "freeFailures", label: "Wrong passwords, passes or codes before waits start", path: \.freeFailures),
        .init(name: "baseDelaySeconds", label: "First wait, seconds", path: \.baseDelaySeconds),
        .init(name: "maxDelaySeconds", label: "Longest wait, seconds (at most 3600)", path: \.maxDelaySeconds),
        .init(name: "lockThreshold", label: "Failures that lock the name (1–100)", path: \.lockThreshold),
        .init(name: "lockMinutes", label: "Lock duration, minutes (1–1440)", path: \.lockMinutes),
        .init(name: "ipBurst", label: "Failed attempts one address may burst", path: \.ipBurst),
        .init(name: "ipPerMinute", label: "Failed attempts per minute an address gets back", path: \.ipPerMinute),
        .init(name: "stepUpMinutes", label: "Minutes a multi-factor sign-in counts as recent for changing methods (1–60)", path: \.stepUpMinutes),
    ]

    func register(on router: Router<TandemRequestContext>) {
        router.get("/admin/protection") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.policyAdmins)
            return try await self.render(visitor, saved: request.uri.queryParameters.get("saved") != nil)
        }
        router.post("/admin/protection/push") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.policyAdmins)
            let form = try await self.portal.form(request, visitor)
            let service = PushProtectionService(env: self.env)
            return try await self.save(visitor) {
                var settings = try Self.apply(form, Self.push, to: try await service.settings())
                settings.suppressUnfamiliarLocations = form["suppressUnfamiliarLocations"] == "on"
                try await service.saveSettings(settings, by: visitor.user)
            }
        }
        router.post("/admin/protection/sign-in") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.policyAdmins)
            let form = try await self.portal.form(request, visitor)
            let service = SignInThrottleService(env: self.env)
            return try await self.save(visitor) {
                var settings = try Self.apply(form, Self.signIn, to: try await service.settings())
                settings.firstMethodWithPassword = form["firstMethodWithPassword"] == "on"
                try await service.saveSettings(settings, by: visitor.user)
            }
        }
    }

    static func apply<S>(_ form: [String: String], _ fields: [Field<S>], to current: S) throws -> S {
        var settings = current
        for field in fields {
            guard let text = form[field.name] else { continue }
            guard let value = Int(text.trimmingCharacters(in: .whitespaces)) else {
                throw TandemError(.badRequest, "\(field.name) must be a whole number.")
            }
            settings[keyPath: field.path] = value
        }
        return settings
    }

    func save(_ visitor: AdminPortal.Visitor, _ change: () async throws -> Void) async throws -> Response {
        do {
            try await change()
        } catch let error as TandemError where error.code == .badRequest {
            return try await render(visitor, saved: false, error: error.message)
        }
        return Web.redirect("/admin/protection?saved=1")
    }

    func render(_ visitor: AdminPortal.Visitor, saved: Bool, error: String? = nil) async throws -> Response {
        let push = try await PushProtectionService(env: env).settings()
        let signIn = try await SignInThrottleService(env: env).settings()
        var values: [String: Any] = [
            "saved": saved, "suppress": push.suppressUnfamiliarLocations, "firstMethod": signIn.firstMethodWithPassword,
            "pushFields": Self.push.map { ["name": $0.name, "id": "push-\($0.name)", "label": $0.label, "value": push[keyPath: $0.path]] },
            "signInFields": Self.signIn.map { ["name": $0.name, "id": "signin-\($0.name)", "label": $0.label, "value": signIn[keyPath: $0.path]] },
        ]
        if let error { values["error"] = error }
        return portal.page("protection", title: "Protection settings", section: .protection, visitor, values,
                           status: error == nil ? .ok : .badRequest)
    }
}
