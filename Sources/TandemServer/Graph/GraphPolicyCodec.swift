import Foundation
import TandemCore

/// The Graph shape of the Microsoft Authenticator configuration, both ways.
enum GraphPolicyCodec {
    static let odataType = "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration"
    static let resourceType = "microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration"

    /// The GET body.
    static func encode(_ policy: AuthenticatorPolicy, baseURL: String) -> [String: Any] {
        [
            "@odata.context": "\(baseURL)/v1.0/$metadata#authenticationMethodConfigurations/$entity",
            "@odata.type": odataType,
            "id": "MicrosoftAuthenticator",
            "state": policy.state.rawValue,
            "isSoftwareOathEnabled": policy.isSoftwareOathEnabled,
            "includeTargets@odata.context": "\(baseURL)/v1.0/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations('MicrosoftAuthenticator')/microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration/includeTargets",
            "includeTargets": policy.includeTargets.map { target in
                ["targetType": target.targetType.rawValue, "id": target.id, "isRegistrationRequired": target.isRegistrationRequired,
                 "authenticationMode": target.authenticationMode.rawValue] as [String: Any]
            },
            "excludeTargets": policy.excludeTargets.map { ["targetType": $0.targetType.rawValue, "id": $0.id] },
            "featureSettings": [
                "numberMatchingRequiredState": feature(policy.featureSettings.numberMatchingRequiredState),
                "displayAppInformationRequiredState": feature(policy.featureSettings.displayAppInformationRequiredState),
                "displayLocationInformationRequiredState": feature(policy.featureSettings.displayLocationInformationRequiredState),
                "companionAppAllowedState": feature(policy.featureSettings.companionAppAllowedState),
            ],
            "tandemNumberDigits": policy.numberDigits,
            "tandemNumberPresentation": policy.numberPresentation.rawValue,
        ]
    }

    static func feature(_ feature: AuthenticatorPolicy.Feature) -> [String: Any] {
        ["state": feature.state.rawValue,
         "includeTarget": ["targetType": feature.includeTarget.targetType.rawValue, "id": feature.includeTarget.id],
         "excludeTarget": ["targetType": feature.excludeTarget.targetType.rawValue, "id": feature.excludeTarget.id]]
    }

    static let knownProperties: Set<String> = ["id", "state", "includeTargets", "excludeTargets", "isSoftwareOathEnabled", "featureSettings",
                                               "tandemNumberDigits", "tandemNumberPresentation"]

    /// Applies a PATCH body: properties present replace the stored ones; absent ones stay.
    static func apply(_ body: [String: Any], to current: AuthenticatorPolicy) throws -> AuthenticatorPolicy {
        if let type = body["@odata.type"] {
            let text = try GraphJSON.string(type, "@odata.type")
            guard text.trimmingCharacters(in: CharacterSet(charactersIn: "#")).lowercased() == resourceType.lowercased() else {
                throw TandemError(.badRequest, "@odata.type: '\(text)' is not \(odataType).")
            }
        }
        try GraphJSON.onlyKnown(body, knownProperties, type: resourceType)
        var policy = current
        if let id = body["id"] {
            guard try GraphJSON.string(id, "id").lowercased() == "microsoftauthenticator" else {
                throw TandemError(.badRequest, "id: the id of this configuration is MicrosoftAuthenticator.")
            }
        }
        if let state = body["state"] { policy.state = try GraphJSON.enumValue(state, "state", as: AuthenticatorPolicy.State.self) }
        if let oath = body["isSoftwareOathEnabled"] { policy.isSoftwareOathEnabled = try GraphJSON.bool(oath, "isSoftwareOathEnabled") }
        if let targets = body["includeTargets"] {
            policy.includeTargets = try GraphJSON.array(targets, "includeTargets").enumerated().map { index, item in
                try includeTarget(item, "includeTargets[\(index)]")
            }
        }
        if let targets = body["excludeTargets"] {
            policy.excludeTargets = try GraphJSON.array(targets, "excludeTargets").enumerated().map { index, item in
                let field = "excludeTargets[\(index)]"
                let object = try GraphJSON.object(item, field)
                try GraphJSON.onlyKnown(object, ["id", "targetType"], type: "microsoft.graph.excludeTarget", path: field + ".")
                return AuthenticatorPolicy.ExcludeTarget(
                    targetType: try GraphJSON.enumValue(object["targetType"] ?? "group", field + ".targetType", as: AuthenticatorPolicy.TargetType.self),
                    id: try GraphJSON.string(object["id"], field + ".id"))
            }
        }
        if let settings = body["featureSettings"] {
            policy.featureSettings = try featureSettings(settings, current: policy.featureSettings)
        }
        if let digits = body["tandemNumberDigits"] { policy.numberDigits = try GraphJSON.int(digits, "tandemNumberDigits") }
        if let presentation = body["tandemNumberPresentation"] {
            policy.numberPresentation = try GraphJSON.enumValue(presentation, "tandemNumberPresentation", as: AuthenticatorPolicy.NumberPresentation.self)
        }
        return policy
    }

    static func includeTarget(_ item: Any, _ field: String) throws -> AuthenticatorPolicy.IncludeTarget {
        let object = try GraphJSON.object(item, field)
        // `numberMatchingRequiredState` per target is the retired beta shape; accepted and ignored.
        try GraphJSON.onlyKnown(object, ["id", "targetType", "authenticationMode", "isRegistrationRequired", "numberMatchingRequiredState"],
                                type: "microsoft.graph.microsoftAuthenticatorAuthenticationMethodTarget", path: field + ".")
        return AuthenticatorPolicy.IncludeTarget(
            targetType: try GraphJSON.enumValue(object["targetType"], field + ".targetType", as: AuthenticatorPolicy.TargetType.self),
            id: try GraphJSON.string(object["id"], field + ".id"),
            isRegistrationRequired: try object["isRegistrationRequired"].map { try GraphJSON.bool($0, field + ".isRegistrationRequired") } ?? false,
            authenticationMode: try object["authenticationMode"].map {
                try GraphJSON.enumValue($0, field + ".authenticationMode", as: AuthenticatorPolicy.Mode.self)
            } ?? .any)
    }

    static func featureSettings(_ value: Any, current: AuthenticatorPolicy.FeatureSettings) throws -> AuthenticatorPolicy.FeatureSettings {
        var object = try GraphJSON.object(value, "featureSettings")
        // The v1.0 GET example of Microsoft's documentation names these two `…ContextRequiredState`;
        // accept that spelling as an alias so the documented body round-trips.
        for (alias, name) in [("displayAppContextRequiredState", "displayAppInformationRequiredState"),
                              ("displayLocationContextRequiredState", "displayLocationInformationRequiredState")] {
            if let aliased = object.removeValue(forKey: alias), object[name] == nil { object[name] = aliased }
        }
        try GraphJSON.onlyKnown(object, ["numberMatchingRequiredState", "displayAppInformationRequiredState",
                                         "displayLocationInformationRequiredState", "companionAppAllowedState"],
                                type: "microsoft.graph.microsoftAuthenticatorFeatureSettings", path: "featureSettings.")
        var settings = current
        func read(_ name: String, _ current: AuthenticatorPolicy.Feature) throws -> AuthenticatorPolicy.Feature {
            guard let raw = object[name], !(raw is NSNull) else { return current }
            let field = "featureSettings.\(name)"
            let feature = try GraphJSON.object(raw, field)
            try GraphJSON.onlyKnown(feature, ["state", "includeTarget", "excludeTarget"],
                                    type: "microsoft.graph.authenticationMethodFeatureConfiguration", path: field + ".")
            var result = current
            if let state = feature["state"] { result.state = try GraphJSON.enumValue(state, field + ".state", as: AuthenticatorPolicy.FeatureState.self) }
            if let include = feature["includeTarget"] { result.includeTarget = try featureTarget(include, field + ".includeTarget") }
            if let exclude = feature["excludeTarget"] { result.excludeTarget = try featureTarget(exclude, field + ".excludeTarget") }
            return result
        }
        settings.numberMatchingRequiredState = try read("numberMatchingRequiredState", current.numberMatchingRequiredState)
        settings.displayAppInformationRequiredState = try read("displayAppInformationRequiredState", current.displayAppInformationRequiredState)
        settings.displayLocationInformationRequiredState = try read("displayLocationInformationRequiredState", current.displayLocationInformationRequiredState)
        settings.companionAppAllowedState = try read("companionAppAllowedState", current.companionAppAllowedState)
        return settings
    }

    static func featureTarget(_ value: Any, _ field: String) throws -> AuthenticatorPolicy.ExcludeTarget {
        let object = try GraphJSON.object(value, field)
        try GraphJSON.onlyKnown(object, ["id", "targetType"], type: "microsoft.graph.featureTarget", path: field + ".")
        return AuthenticatorPolicy.ExcludeTarget(
            targetType: try GraphJSON.enumValue(object["targetType"] ?? "group", field + ".targetType", as: AuthenticatorPolicy.TargetType.self),
            id: try GraphJSON.string(object["id"], field + ".id"))
    }
}
