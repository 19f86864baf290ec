import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Graph's `fido2AuthenticationMethodConfiguration` under
/// `policies/authenticationMethodsPolicy/authenticationMethodConfigurations/Fido2` (decision 0025).
extension GraphController {
    static func isFido2(_ context: TandemRequestContext) throws -> Bool {
        try context.parameters.require("method").lowercased() == "fido2"
    }

    static func fido2Configuration(_ c: Fido2Configuration) -> [String: Any] {
        func targets(_ list: [Fido2Configuration.Target], include: Bool) -> [[String: Any]] {
            list.map { t in
                var o: [String: Any] = ["targetType": t.targetType.rawValue, "id": t.id]
                if include { o["isRegistrationRequired"] = false }
                return o
            }
        }
        return ["@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "id": "Fido2", "state": c.state.rawValue,
                "isSelfServiceRegistrationAllowed": c.isSelfServiceRegistrationAllowed, "isAttestationEnforced": c.isAttestationEnforced,
                "keyRestrictions": ["isEnforced": c.keyRestrictions.isEnforced, "enforcementType": c.keyRestrictions.enforcementType.rawValue,
                                    "aaGuids": c.keyRestrictions.aaGuids] as [String: Any],
                "includeTargets": targets(c.includeTargets, include: true), "excludeTargets": targets(c.excludeTargets, include: false)]
    }

    static func applyFido2(_ body: [String: Any], to current: Fido2Configuration) throws -> Fido2Configuration {
        var c = current
        try GraphJSON.onlyKnown(body, ["id", "state", "isSelfServiceRegistrationAllowed", "isAttestationEnforced", "keyRestrictions",
                                       "includeTargets", "excludeTargets"], type: "microsoft.graph.fido2AuthenticationMethodConfiguration")
        if let v = body["state"] { c.state = try GraphJSON.enumValue(v, "state", as: Fido2Configuration.State.self) }
        if let v = body["isSelfServiceRegistrationAllowed"] { c.isSelfServiceRegistrationAllowed = try GraphJSON.bool(v, "isSelfServiceRegistrationAllowed") }
        if let v = body["isAttestationEnforced"] { c.isAttestationEnforced = try GraphJSON.bool(v, "isAttestationEnforced") }
        if let v = body["keyRestrictions"] {
            let k = try GraphJSON.object(v, "keyRestrictions")
            try GraphJSON.onlyKnown(k, ["isEnforced", "enforcementType", "aaGuids"], type: "microsoft.graph.fido2KeyRestrictions", path: "keyRestrictions.")
            if let e = k["isEnforced"] { c.keyRestrictions.isEnforced = try GraphJSON.bool(e, "keyRestrictions.isEnforced") }
            if let e = k["enforcementType"] { c.keyRestrictions.enforcementType = try GraphJSON.enumValue(e, "keyRestrictions.enforcementType", as: Fido2Configuration.EnforcementType.self) }
            if let e = k["aaGuids"] {
                c.keyRestrictions.aaGuids = try GraphJSON.array(e, "keyRestrictions.aaGuids").enumerated().map {
                    try GraphJSON.string($1, "keyRestrictions.aaGuids[\($0)]").lowercased()
                }
            }
        }
        if let v = body["includeTargets"] { c.includeTargets = try featureTargets(v, "includeTargets") }
        if let v = body["excludeTargets"] { c.excludeTargets = try featureTargets(v, "excludeTargets") }
        return c
    }

    /// A method configuration's include or exclude targets, Graph's `featureTarget` shape.
    static func featureTargets(_ v: Any?, _ field: String) throws -> [Fido2Configuration.Target] {
        try GraphJSON.array(v, field).enumerated().map { index, item in
            let o = try GraphJSON.object(item, "\(field)[\(index)]")
            try GraphJSON.onlyKnown(o, ["targetType", "id", "isRegistrationRequired"], type: "microsoft.graph.featureTarget", path: "\(field)[\(index)].")
            return Fido2Configuration.Target(targetType: try GraphJSON.enumValue(o["targetType"], "\(field)[\(index)].targetType", as: AuthenticatorPolicy.TargetType.self),
                                             id: try GraphJSON.string(o["id"], "\(field)[\(index)].id"))
        }
    }

    /// The same targets as Graph writes them.
    static func featureTargetObjects(_ list: [Fido2Configuration.Target], include: Bool) -> [[String: Any]] {
        list.map { t in
            var o: [String: Any] = ["targetType": t.targetType.rawValue, "id": t.id]
            if include { o["isRegistrationRequired"] = false }
            return o
        }
    }
}
