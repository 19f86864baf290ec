import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Authentication strengths in Graph's shape (decision 0025): Entra's three built-ins, read only,
/// under `/v1.0/policies/authenticationStrengthPolicies`, and the administrator's requirements
/// as conditional-access policies (`/v1.0/identity/conditionalAccess/policies`) whose only grant
/// control is `authenticationStrength`. Reading for every directory reader, changing for the
/// policy administrators (403 for anyone else); every change is audited with it, in one transaction.
extension GraphController {
    func registerStrengths(on v1: RouterGroup<TandemRequestContext>) {
        let service = StrengthRequirementService(env: env)
        v1.get("policies/authenticationStrengthPolicies") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            return GraphJSON.response(["@odata.context": "\(self.publicURL())/v1.0/$metadata#policies/authenticationStrengthPolicies",
                                       "value": AuthenticationStrength.allCases.map(Self.strengthObject)])
        }
        v1.get("policies/authenticationStrengthPolicies/{id}") { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            let id = try context.parameters.require("id")
            guard let strength = AuthenticationStrength(rawValue: id) else {
                throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
            }
            var object = Self.strengthObject(strength)
            object["@odata.context"] = "\(self.publicURL())/v1.0/$metadata#policies/authenticationStrengthPolicies/$entity"
            return GraphJSON.response(object)
        }
        let base = "identity/conditionalAccess/policies"
        v1.get(RouterPath(base)) { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            return GraphJSON.response(["@odata.context": "\(self.publicURL())/v1.0/$metadata#identity/conditionalAccess/policies",
                                       "value": try await service.requirements().map(Self.conditionalAccessObject)])
        }
        v1.post(RouterPath(base)) { request, _ in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            let body = try await GraphJSON.object(request)
            let draft = try Self.applyConditionalAccess(body, to: StrengthRequirement(
                id: "", displayName: "", includeUsers: [], includeApplications: [], strength: .mfa, createdAt: Date()), creating: true)
            return GraphJSON.response(Self.conditionalAccessObject(try await service.create(draft, by: actor)), status: .created)
        }
        v1.get(RouterPath(base + "/{id}")) { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            return GraphJSON.response(Self.conditionalAccessObject(try await service.requirement(id: try context.parameters.require("id"))))
        }
        v1.patch(RouterPath(base + "/{id}")) { request, context in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            let body = try await GraphJSON.object(request)
            _ = try await service.update(id: try context.parameters.require("id"), by: actor) { current in
                try Self.applyConditionalAccess(body, to: current, creating: false)
            }
            return GraphJSON.noContent()
        }
        v1.delete(RouterPath(base + "/{id}")) { request, context in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            try await service.delete(id: try context.parameters.require("id"), by: actor)
            return GraphJSON.noContent()
        }
    }

    static func strengthObject(_ s: AuthenticationStrength) -> [String: Any] {
        ["id": s.id, "displayName": s.displayName, "description": s.description, "policyType": "builtIn",
         "requirementsSatisfied": "mfa", "allowedCombinations": s.allowedCombinations,
         "createdDateTime": "2021-12-01T00:00:00Z", "modifiedDateTime": "2021-12-01T00:00:00Z"]
    }

    static func conditionalAccessObject(_ r: StrengthRequirement) -> [String: Any] {
        ["@odata.type": "#microsoft.graph.conditionalAccessPolicy", "id": r.id, "displayName": r.displayName, "state": r.state.rawValue,
         "createdDateTime": GraphJSON.date(r.createdAt), "modifiedDateTime": r.modifiedAt.map(GraphJSON.date) ?? NSNull(),
         "conditions": [
            "users": ["includeUsers": r.includeUsers, "excludeUsers": r.excludeUsers, "includeGroups": r.includeGroups, "excludeGroups": r.excludeGroups],
            "applications": ["includeApplications": r.includeApplications],
         ] as [String: Any],
         "grantControls": ["operator": "OR", "builtInControls": [String](), "authenticationStrength": strengthObject(r.strength)] as [String: Any]]
    }

    /// Graph's `conditionalAccessPolicy` body onto a requirement. Only the fields Tandem enforces
    /// are accepted; anything else is a 400 (a condition Tandem would silently ignore would be a
    /// requirement that is not enforced).
    static func applyConditionalAccess(_ body: [String: Any], to current: StrengthRequirement, creating: Bool) throws -> StrengthRequirement {
        var r = current
        let known: Set<String> = ["displayName", "state", "conditions", "grantControls"]
        try GraphJSON.onlyKnown(body, known, type: "microsoft.graph.conditionalAccessPolicy")
        if let v = body["displayName"] { r.displayName = try GraphJSON.string(v, "displayName") }
        if let v = body["state"] { r.state = try GraphJSON.enumValue(v, "state", as: StrengthRequirement.State.self) }
        func strings(_ v: Any?, _ field: String) throws -> [String] {
            try GraphJSON.array(v, field).enumerated().map { try GraphJSON.string($1, "\(field)[\($0)]") }
        }
        if let v = body["conditions"] {
            let conditions = try GraphJSON.object(v, "conditions")
            try GraphJSON.onlyKnown(conditions, ["users", "applications"], type: "microsoft.graph.conditionalAccessConditionSet", path: "conditions.")
            if let u = conditions["users"] {
                let users = try GraphJSON.object(u, "conditions.users")
                try GraphJSON.onlyKnown(users, ["includeUsers", "excludeUsers", "includeGroups", "excludeGroups"],
                                        type: "microsoft.graph.conditionalAccessUsers", path: "conditions.users.")
                if let v = users["includeUsers"] { r.includeUsers = try strings(v, "conditions.users.includeUsers") }
                if let v = users["excludeUsers"] { r.excludeUsers = try strings(v, "conditions.users.excludeUsers") }
                if let v = users["includeGroups"] { r.includeGroups = try strings(v, "conditions.users.includeGroups") }
                if let v = users["excludeGroups"] { r.excludeGroups = try strings(v, "conditions.users.excludeGroups") }
            }
            if let a = conditions["applications"] {
                let apps = try GraphJSON.object(a, "conditions.applications")
                try GraphJSON.onlyKnown(apps, ["includeApplications"], type: "microsoft.graph.conditionalAccessApplications", path: "conditions.applications.")
                if let v = apps["includeApplications"] { r.includeApplications = try strings(v, "conditions.applications.includeApplications") }
            }
        } else if creating {
            throw TandemError(.badRequest, "conditions is required.")
        }
        if let v = body["grantControls"] {
            let grant = try GraphJSON.object(v, "grantControls")
            try GraphJSON.onlyKnown(grant, ["operator", "builtInControls", "authenticationStrength"],
                                    type: "microsoft.graph.conditionalAccessGrantControls", path: "grantControls.")
            if let op = grant["operator"], try GraphJSON.string(op, "grantControls.operator") != "OR" {
                throw TandemError(.badRequest, "grantControls.operator: only OR (one control) is supported.")
            }
            if let b = grant["builtInControls"], !(try strings(b, "grantControls.builtInControls")).isEmpty {
                throw TandemError(.badRequest, "grantControls.builtInControls: Tandem enforces only authenticationStrength; leave it empty.")
            }
            let strength = try GraphJSON.object(grant["authenticationStrength"], "grantControls.authenticationStrength")
            let id = try GraphJSON.string(strength["id"], "grantControls.authenticationStrength.id")
            guard let s = AuthenticationStrength(rawValue: id) else {
                throw TandemError(.badRequest, "grantControls.authenticationStrength.id: not a built-in strength (…0002, …0003, …0004).")
            }
            r.strength = s
        } else if creating {
            throw TandemError(.badRequest, "grantControls.authenticationStrength is required.")
        }
        return r
    }
}
