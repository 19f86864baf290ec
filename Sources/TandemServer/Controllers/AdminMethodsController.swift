import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Authentication methods: the Microsoft Authenticator configuration like Entra's page (Enable
/// and target; Configure: number matching, application name, location, companion app, number
/// digits and presentation, verification codes) and the legacy MFA service settings.
///
/// The page does not validate anything itself: the form becomes the body of a Graph PATCH and
/// goes through `GraphPolicyCodec.apply` and `PolicyService.save`, exactly as
/// `PATCH /v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/MicrosoftAuthenticator`,
/// so "Select groups" with no group ticked, an unknown group or 9 digits are refused with
/// Graph's message and nothing is saved.
struct AdminMethodsController: Sendable {
    let env: ServiceEnvironment
    let portal: AdminPortal
    var policy: PolicyService { PolicyService(env: env) }

    static let features: [(key: String, label: String)] = [
        ("displayAppInformationRequiredState", "Show application name in push and passwordless notifications"),
        ("displayLocationInformationRequiredState", "Show geographic location in push and passwordless notifications"),
        ("companionAppAllowedState", "Microsoft Authenticator on companion applications"),
    ]

    func register(on router: Router<TandemRequestContext>) {
        router.get("/admin/authentication-methods") { _, _ in Web.redirect("/admin/authenticator") }
        router.get("/admin/authenticator") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.policyAdmins)
            return try await self.render(visitor, saved: request.uri.queryParameters.get("saved") != nil, error: nil)
        }
        router.post("/admin/authenticator") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.policyAdmins)
            let form = try await self.portal.form(request, visitor)
            do {
                let current = try await self.policy.authenticatorPolicy()
                let body = Self.graphBody(form, current: current, groups: try await self.env.storage.groups())
                try await self.policy.save(try GraphPolicyCodec.apply(body, to: current), by: visitor.user)
            } catch let error as TandemError where error.code == .badRequest {
                return try await self.render(visitor, saved: false, error: error.message)
            }
            return Web.redirect("/admin/authenticator?saved=1")
        }
        router.get("/admin/mfa-settings") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.policyAdmins)
            return try await self.renderLegacy(visitor, saved: request.uri.queryParameters.get("saved") != nil, error: nil)
        }
        router.post("/admin/mfa-settings") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.policyAdmins)
            let form = try await self.portal.form(request, visitor)
            guard let days = Int((form["rememberMultiFactorDays"] ?? "0").trimmingCharacters(in: .whitespaces)) else {
                return try await self.renderLegacy(visitor, saved: false, error: "rememberMultiFactorDays must be a whole number of days.")
            }
            let ranges = (form["trustedIPRanges"] ?? "").split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let settings = LegacyMFASettings(notificationThroughMobileApp: form["notificationThroughMobileApp"] == "on",
                                             verificationCodeFromMobileApp: form["verificationCodeFromMobileApp"] == "on",
                                             rememberMultiFactorDays: days, trustedIPRanges: ranges)
            do {
                try await self.policy.saveLegacySettings(settings, by: visitor.user)   // the Graph PATCH's validation
            } catch let error as TandemError where error.code == .badRequest {
                return try await self.renderLegacy(visitor, saved: false, error: error.message)
            }
            return Web.redirect("/admin/mfa-settings?saved=1")
        }
    }

    /// The Graph PATCH body the form stands for. Fields the form did not send keep their value.
    static func graphBody(_ form: [String: String], current: AuthenticatorPolicy, groups: [Group]) -> [String: Any] {
        func target(_ id: String) -> [String: Any] {
            ["targetType": "group", "id": id, "authenticationMode": form["mode-\(id)"] ?? "any", "isRegistrationRequired": form["required-\(id)"] == "on"]
        }
        var body: [String: Any] = ["state": form["enabled"] == "on" ? "enabled" : "disabled"]
        body["includeTargets"] = form["target"] == "groups"
            ? groups.filter { form["include-\($0.id)"] == "on" }.map { target($0.id) }
            : [target(AuthenticatorPolicy.allUsers)]
        let keptUsers: [[String: Any]] = current.excludeTargets.filter { $0.targetType == .user }.map { ["targetType": "user", "id": $0.id] }
        body["excludeTargets"] = keptUsers + groups.filter { form["exclude-\($0.id)"] == "on" }.map { ["targetType": "group", "id": $0.id] as [String: Any] }
        if form["configure"] == "1" { body["isSoftwareOathEnabled"] = form["isSoftwareOathEnabled"] == "on" }
        if let digits = form["tandemNumberDigits"] {
            // As JSON numbers arrive (`Double`); a non-number stays text and gets the codec's 400.
            body["tandemNumberDigits"] = Double(digits.trimmingCharacters(in: .whitespaces)) as Any? ?? digits
        }
        if let presentation = form["tandemNumberPresentation"] { body["tandemNumberPresentation"] = presentation }
        var settings: [String: Any] = [:]
        for feature in features {
            guard let state = form["\(feature.key)-state"] else { continue }
            var object: [String: Any] = ["state": state]
            if let include = form["\(feature.key)-include"] { object["includeTarget"] = ["targetType": "group", "id": include] }
            if let exclude = form["\(feature.key)-exclude"] { object["excludeTarget"] = ["targetType": "group", "id": exclude] }
            settings[feature.key] = object
        }
        if !settings.isEmpty { body["featureSettings"] = settings }
        return body
    }

    func render(_ visitor: AdminPortal.Visitor, saved: Bool, error: String?) async throws -> Response {
        let current = try await policy.authenticatorPolicy()
        let groups = try await env.storage.groups().sorted { $0.displayName.lowercased() < $1.displayName.lowercased() }
        func options<T: Equatable>(_ items: [(T, String)], _ selected: T) -> [[String: Any]] {
            items.map { ["value": "\($0.0)", "label": $0.1, "selected": $0.0 == selected] }
        }
        let modeLabels: [(String, String)] = [("any", "Any"), ("push", "Push"), ("deviceBasedPush", "Passwordless")]
        let allTarget = current.includeTargets.first { $0.id == AuthenticatorPolicy.allUsers }
        let groupRows: [[String: Any]] = groups.map { group in
            let target = current.includeTargets.first { $0.targetType == .group && $0.id == group.id }
            return ["id": group.id, "name": group.displayName, "included": target != nil, "required": target?.isRegistrationRequired ?? false,
                    "modes": options(modeLabels, (target?.authenticationMode ?? .any).rawValue),
                    "excluded": current.excludeTargets.contains { $0.targetType == .group && $0.id == group.id }]
        }
        var excludedUsers: [String] = []
        for target in current.excludeTargets where target.targetType == .user {
            excludedUsers.append(try await env.storage.user(id: target.id)?.userPrincipalName ?? target.id)
        }
        let stateLabels: [(String, String)] = [("default", "Microsoft managed"), ("enabled", "Enabled"), ("disabled", "Disabled")]
        let includeChoices = [(AuthenticatorPolicy.allUsers, "All users")] + groups.map { ($0.id, $0.displayName) }
        let excludeChoices = [(AuthenticatorPolicy.noOne, "No one")] + groups.map { ($0.id, $0.displayName) }
        let settings = current.featureSettings
        let featureValues: [String: AuthenticatorPolicy.Feature] = [
            "displayAppInformationRequiredState": settings.displayAppInformationRequiredState,
            "displayLocationInformationRequiredState": settings.displayLocationInformationRequiredState,
            "companionAppAllowedState": settings.companionAppAllowedState,
        ]
        let features: [[String: Any]] = Self.features.map { feature in
            let value = featureValues[feature.key]!
            return ["key": feature.key, "label": feature.label, "states": options(stateLabels, value.state.rawValue),
                    "includes": options(includeChoices, value.includeTarget.id), "excludes": options(excludeChoices, value.excludeTarget.id)]
        }
        var values: [String: Any] = [
            "enabled": current.state == .enabled, "allUsers": allTarget != nil, "allRequired": allTarget?.isRegistrationRequired ?? false,
            "allModes": options(modeLabels, (allTarget?.authenticationMode ?? .any).rawValue), "groups": groupRows, "saved": saved,
            "excludedUsers": excludedUsers, "digits": current.numberDigits, "oath": current.isSoftwareOathEnabled, "features": features,
            "presentations": options([("typed", "The user types the number"), ("chooseFromThree", "The user picks it from three")],
                                     current.numberPresentation.rawValue),
        ]
        if let error { values["error"] = error }
        return portal.page("policy", title: "Microsoft Authenticator settings", section: .authenticationMethods, visitor, values,
                           status: error == nil ? .ok : .badRequest)
    }

    func renderLegacy(_ visitor: AdminPortal.Visitor, saved: Bool, error: String?) async throws -> Response {
        let settings = try await policy.legacySettings()
        var values: [String: Any] = ["trusted": settings.trustedIPRanges.joined(separator: "\n"), "notification": settings.notificationThroughMobileApp,
                                     "code": settings.verificationCodeFromMobileApp, "remember": settings.rememberMultiFactorDays, "saved": saved]
        if let error { values["error"] = error }
        return portal.page("mfaSettings", title: "MFA service settings", section: .authenticationMethods, visitor, values,
                           status: error == nil ? .ok : .badRequest)
    }
}
