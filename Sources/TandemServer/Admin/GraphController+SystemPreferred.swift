import Foundation
import TandemCore
import TandemServices

/// Graph's `systemCredentialPreferences` on the authentication methods policy (system-preferred
/// MFA, decision 0033): read with the policy, changed with a PATCH of the policy.
extension GraphController {
    static let systemCredentialPreferencesType = "microsoft.graph.systemCredentialPreferences"

    static func systemCredentialPreferences(_ p: SystemCredentialPreferences) -> [String: Any] {
        let targets = { (list: [AuthenticatorPolicy.ExcludeTarget]) in list.map { ["id": $0.id, "targetType": $0.targetType.rawValue] } }
        return ["@odata.type": "#\(systemCredentialPreferencesType)", "state": p.state.rawValue,
                "includeTargets": targets(p.includeTargets), "excludeTargets": targets(p.excludeTargets)]
    }

    /// Applies a PATCH body's `systemCredentialPreferences` to the stored setting; every bad part is a 400.
    static func patchSystemCredentialPreferences(_ raw: Any, onto current: SystemCredentialPreferences) throws -> SystemCredentialPreferences {
        let field = "systemCredentialPreferences"
        let object = try GraphJSON.object(raw, field)
        try GraphJSON.onlyKnown(object, ["state", "includeTargets", "excludeTargets"], type: systemCredentialPreferencesType, path: "\(field).")
        var p = current
        if let v = object["state"] { p.state = try GraphJSON.enumValue(v, "\(field).state", as: AuthenticatorPolicy.FeatureState.self) }
        if let v = object["includeTargets"] { p.includeTargets = try targets(v, "\(field).includeTargets") }
        if let v = object["excludeTargets"] { p.excludeTargets = try targets(v, "\(field).excludeTargets") }
        return p
    }

    private static func targets(_ raw: Any, _ field: String) throws -> [AuthenticatorPolicy.ExcludeTarget] {
        try GraphJSON.array(raw, field).map { item in
            let target = try GraphJSON.object(item, "\(field)[]")
            try GraphJSON.onlyKnown(target, ["id", "targetType"], type: "microsoft.graph.includeTarget", path: "\(field)[].")
            let id = try GraphJSON.string(target["id"], "\(field)[].id")
            guard !id.isEmpty else { throw TandemError(.badRequest, "\(field)[].id: a user or group id, or all_users, is expected.") }
            let type = try GraphJSON.enumValue(target["targetType"] ?? "group", "\(field)[].targetType", as: AuthenticatorPolicy.TargetType.self)
            return .init(targetType: type, id: id)
        }
    }
}
