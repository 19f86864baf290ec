import Foundation
import TandemCore
import TandemServices

/// The `TemporaryAccessPass` and `SoftwareOath` method configurations under
/// `policies/authenticationMethodsPolicy/authenticationMethodConfigurations/{id}` (decision 0036),
/// read and patched with Graph's bodies.
extension GraphController {
    enum OtherConfiguration {
        case temporaryAccessPass, softwareOath
    }

    static func otherConfiguration(_ context: TandemRequestContext) throws -> OtherConfiguration? {
        switch try context.parameters.require("method").lowercased() {
        case "temporaryaccesspass": .temporaryAccessPass
        case "softwareoath": .softwareOath
        default: nil
        }
    }

    func readConfiguration(_ which: OtherConfiguration) async throws -> [String: Any] {
        var object: [String: Any]
        switch which {
        case .temporaryAccessPass:
            let c = try await TemporaryAccessPassConfigurationService(env: env).configuration()
            object = ["@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration", "id": "TemporaryAccessPass",
                      "state": c.state.rawValue, "defaultLifetimeInMinutes": c.defaultLifetimeInMinutes, "defaultLength": c.defaultLength,
                      "minimumLifetimeInMinutes": c.minimumLifetimeInMinutes, "maximumLifetimeInMinutes": c.maximumLifetimeInMinutes,
                      "isUsableOnce": c.isUsableOnce,
                      "includeTargets": Self.featureTargetObjects(c.includeTargets, include: true),
                      "excludeTargets": Self.featureTargetObjects(c.excludeTargets, include: false)]
        case .softwareOath:
            // Tandem's codes follow the Microsoft Authenticator configuration's targets; the
            // switch is its isSoftwareOathEnabled.
            let policy = try await self.policy.authenticatorPolicy()
            object = ["@odata.type": "#microsoft.graph.softwareOathAuthenticationMethodConfiguration", "id": "SoftwareOath",
                      "state": policy.isSoftwareOathEnabled ? "enabled" : "disabled",
                      "includeTargets": [["targetType": "group", "id": AuthenticatorPolicy.allUsers, "isRegistrationRequired": false]],
                      "excludeTargets": [[String: Any]]()]
        }
        object["@odata.context"] = "\(publicURL())/v1.0/$metadata#policies/authenticationMethodsPolicy/authenticationMethodConfigurations/$entity"
        return object
    }

    func patchConfiguration(_ which: OtherConfiguration, _ body: [String: Any], by actor: User) async throws {
        switch which {
        case .temporaryAccessPass:
            try GraphJSON.onlyKnown(body, ["id", "state", "defaultLifetimeInMinutes", "defaultLength", "minimumLifetimeInMinutes",
                                           "maximumLifetimeInMinutes", "isUsableOnce", "includeTargets", "excludeTargets"],
                                    type: "microsoft.graph.temporaryAccessPassAuthenticationMethodConfiguration")
            try await TemporaryAccessPassConfigurationService(env: env).update(by: actor) { current in
                var c = current
                if let v = body["state"] { c.state = try GraphJSON.enumValue(v, "state", as: Fido2Configuration.State.self) }
                if let v = body["defaultLifetimeInMinutes"] { c.defaultLifetimeInMinutes = try GraphJSON.int(v, "defaultLifetimeInMinutes") }
                if let v = body["defaultLength"] { c.defaultLength = try GraphJSON.int(v, "defaultLength") }
                if let v = body["minimumLifetimeInMinutes"] { c.minimumLifetimeInMinutes = try GraphJSON.int(v, "minimumLifetimeInMinutes") }
                if let v = body["maximumLifetimeInMinutes"] { c.maximumLifetimeInMinutes = try GraphJSON.int(v, "maximumLifetimeInMinutes") }
                if let v = body["isUsableOnce"] { c.isUsableOnce = try GraphJSON.bool(v, "isUsableOnce") }
                if let v = body["includeTargets"] { c.includeTargets = try Self.featureTargets(v, "includeTargets") }
                if let v = body["excludeTargets"] { c.excludeTargets = try Self.featureTargets(v, "excludeTargets") }
                return c
            }
        case .softwareOath:
            try GraphJSON.onlyKnown(body, ["id", "state", "includeTargets", "excludeTargets"],
                                    type: "microsoft.graph.softwareOathAuthenticationMethodConfiguration")
            let everyone = [Fido2Configuration.Target(targetType: .group, id: AuthenticatorPolicy.allUsers)]
            if let v = body["includeTargets"], try Self.featureTargets(v, "includeTargets") != everyone {
                throw TandemError(.badRequest, "includeTargets: Tandem's verification codes follow the MicrosoftAuthenticator configuration's targets; only all_users can be set here.")
            }
            if let v = body["excludeTargets"], !(try Self.featureTargets(v, "excludeTargets")).isEmpty {
                throw TandemError(.badRequest, "excludeTargets: exclude users from the MicrosoftAuthenticator configuration instead.")
            }
            guard let v = body["state"] else { return }
            let enabled = try GraphJSON.enumValue(v, "state", as: Fido2Configuration.State.self) == .enabled
            _ = try await policy.update(ifMatch: nil, by: actor) { current in
                var p = current
                p.isSoftwareOathEnabled = enabled
                return p
            }
        }
    }
}
