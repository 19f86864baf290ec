import Foundation
import TandemCore
import TandemServices

/// Graph's `registrationEnforcement.authenticationMethodsRegistrationCampaign` on the
/// authentication methods policy (decision 0034): read with the policy, changed with a PATCH of it.
extension GraphController {
    static let campaignType = "microsoft.graph.authenticationMethodsRegistrationCampaign"

    static func registrationEnforcement(_ c: RegistrationCampaign) -> [String: Any] {
        ["authenticationMethodsRegistrationCampaign": [
            "@odata.type": "#\(campaignType)", "state": c.state.rawValue, "snoozeDurationInDays": c.snoozeDurationInDays,
            "enforceRegistrationAfterAllowedSnoozes": c.enforceRegistrationAfterAllowedSnoozes,
            "includeTargets": c.includeTargets.map { ["id": $0.id, "targetType": $0.targetType.rawValue,
                                                      "targetedAuthenticationMethod": $0.targetedAuthenticationMethod.rawValue] },
            "excludeTargets": c.excludeTargets.map { ["id": $0.id, "targetType": $0.targetType.rawValue] },
        ] as [String: Any]]
    }

    /// Applies a PATCH body's `registrationEnforcement` to the stored setting; every bad part is a 400.
    static func patchRegistrationEnforcement(_ raw: Any, onto current: RegistrationCampaign) throws -> RegistrationCampaign {
        let outer = try GraphJSON.object(raw, "registrationEnforcement")
        try GraphJSON.onlyKnown(outer, ["authenticationMethodsRegistrationCampaign"], type: "microsoft.graph.registrationEnforcement",
                                path: "registrationEnforcement.")
        guard let inner = outer["authenticationMethodsRegistrationCampaign"] else { return current }
        let field = "registrationEnforcement.authenticationMethodsRegistrationCampaign"
        let object = try GraphJSON.object(inner, field)
        try GraphJSON.onlyKnown(object, ["state", "snoozeDurationInDays", "enforceRegistrationAfterAllowedSnoozes", "includeTargets", "excludeTargets"],
                                type: campaignType, path: "\(field).")
        var c = current
        if let v = object["state"] { c.state = try GraphJSON.enumValue(v, "\(field).state", as: AuthenticatorPolicy.FeatureState.self) }
        if let v = object["snoozeDurationInDays"] { c.snoozeDurationInDays = try GraphJSON.int(v, "\(field).snoozeDurationInDays") }
        if let v = object["enforceRegistrationAfterAllowedSnoozes"] {
            c.enforceRegistrationAfterAllowedSnoozes = try GraphJSON.bool(v, "\(field).enforceRegistrationAfterAllowedSnoozes")
        }
        if let v = object["includeTargets"] {
            c.includeTargets = try GraphJSON.array(v, "\(field).includeTargets").map { item in
                let target = try GraphJSON.object(item, "\(field).includeTargets[]")
                try GraphJSON.onlyKnown(target, ["id", "targetType", "targetedAuthenticationMethod"],
                                        type: "microsoft.graph.authenticationMethodsRegistrationCampaignIncludeTarget", path: "\(field).includeTargets[].")
                return RegistrationCampaign.IncludeTarget(
                    targetType: try GraphJSON.enumValue(target["targetType"] ?? "group", "\(field).includeTargets[].targetType", as: AuthenticatorPolicy.TargetType.self),
                    id: try GraphJSON.string(target["id"], "\(field).includeTargets[].id"),
                    targetedAuthenticationMethod: try GraphJSON.enumValue(target["targetedAuthenticationMethod"] ?? "microsoftAuthenticator",
                                                                          "\(field).includeTargets[].targetedAuthenticationMethod", as: RegistrationCampaign.Method.self))
            }
        }
        if let v = object["excludeTargets"] {
            c.excludeTargets = try GraphJSON.array(v, "\(field).excludeTargets").map { item in
                let target = try GraphJSON.object(item, "\(field).excludeTargets[]")
                try GraphJSON.onlyKnown(target, ["id", "targetType"], type: "microsoft.graph.excludeTarget", path: "\(field).excludeTargets[].")
                return AuthenticatorPolicy.ExcludeTarget(
                    targetType: try GraphJSON.enumValue(target["targetType"] ?? "group", "\(field).excludeTargets[].targetType", as: AuthenticatorPolicy.TargetType.self),
                    id: try GraphJSON.string(target["id"], "\(field).excludeTargets[].id"))
            }
        }
        return c
    }
}
