import Foundation
import Hummingbird
import TandemCore
import TandemServices

extension GraphController {
    func registerUsers(on v1: RouterGroup<TandemRequestContext>) {
        registerQueries(on: v1)   // users/$count, users/{id}/memberOf, users/{id}/authentication/methods, me, groups/$count
        v1.get("users") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            return try await self.usersResponse(request)
        }
        v1.post("users") { request, _ in
            let actor = try await self.actor(request, AdminAccess.directoryAdmins)
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["accountEnabled", "displayName", "mailNickname", "userPrincipalName", "passwordProfile",
                                           "givenName", "surname", "jobTitle"], type: "microsoft.graph.user")
            guard body["userPrincipalName"] != nil else { throw TandemError(.badRequest, "userPrincipalName: the property is required.") }
            var password: String? = nil
            if let profile = body["passwordProfile"] {
                let object = try GraphJSON.object(profile, "passwordProfile")
                password = try GraphJSON.optionalString(object["password"], "passwordProfile.password")
            }
            let user = try await self.admin.createUser(
                userPrincipalName: try GraphJSON.string(body["userPrincipalName"], "userPrincipalName"),
                displayName: try GraphJSON.optionalString(body["displayName"], "displayName"), password: password,
                accountEnabled: try body["accountEnabled"].map { try GraphJSON.bool($0, "accountEnabled") } ?? true, by: actor)
            return GraphJSON.response(GraphObjects.user(user), status: .created)
        }
        v1.get("users/{id}") { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            return try await self.userResponse(try await self.admin.user(try context.parameters.require("id")), request)
        }
        v1.patch("users/{id}") { request, context in
            var actor = try await self.actor(request, AdminAccess.methodAdmins)
            let body = try await GraphJSON.object(request)
            // A password reset alone is method management (as in Entra); anything else needs a Global Administrator.
            if body.keys.filter({ !$0.hasPrefix("@odata.") }) != ["passwordProfile"] {
                actor = try await self.actor(request, AdminAccess.directoryAdmins)
            }
            let user = try await self.admin.user(try context.parameters.require("id"))
            try GraphJSON.onlyKnown(body, ["accountEnabled", "displayName", "passwordProfile"], type: "microsoft.graph.user")
            var password: String? = nil
            if let profile = body["passwordProfile"] {
                password = try GraphJSON.optionalString(try GraphJSON.object(profile, "passwordProfile")["password"], "passwordProfile.password")
            }
            _ = try await self.admin.updateUser(user, displayName: try GraphJSON.optionalString(body["displayName"], "displayName"),
                                                accountEnabled: try body["accountEnabled"].map { try GraphJSON.bool($0, "accountEnabled") },
                                                password: password, mfaState: nil, by: actor)
            return GraphJSON.noContent()
        }
        v1.post("users/{id}/revokeSignInSessions") { request, context in
            let actor = try await self.actor(request, AdminAccess.methodAdmins)
            let user = try await self.admin.user(try context.parameters.require("id"))
            try await self.admin.revokeSignInSessions(of: user, by: actor)
            return GraphJSON.response(["@odata.context": "\(self.publicURL())/v1.0/$metadata#Edm.Boolean", "value": true])
        }
        v1.get("users/{id}/authentication/requirements") { request, context in
            let user = try await self.methodsOwner(request, context)
            return GraphJSON.response(["perUserMfaState": user.mfaState.rawValue])
        }
        v1.patch("users/{id}/authentication/requirements") { request, context in
            let actor = try await self.actor(request, AdminAccess.policyAdmins)
            let user = try await self.admin.user(try context.parameters.require("id"))
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["perUserMfaState"], type: "microsoft.graph.strongAuthenticationRequirements")
            let state = try GraphJSON.enumValue(body["perUserMfaState"], "perUserMfaState", as: MFAState.self)
            _ = try await self.admin.updateUser(user, displayName: nil, accountEnabled: nil, password: nil, mfaState: state, by: actor)
            return GraphJSON.noContent()
        }
    }

    func registerGroups(on v1: RouterGroup<TandemRequestContext>) {
        v1.get("groups") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            return try await self.groupsResponse(request)
        }
        v1.post("groups") { request, _ in
            let actor = try await self.actor(request, AdminAccess.directoryAdmins)
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["displayName", "description", "mailNickname", "mailEnabled", "securityEnabled", "groupTypes"],
                                    type: "microsoft.graph.group")
            if let mail = body["mailEnabled"], try GraphJSON.bool(mail, "mailEnabled") {
                throw TandemError(.badRequest, "mailEnabled: only security groups (mailEnabled false) are supported.")
            }
            let group = try await self.admin.createGroup(displayName: try GraphJSON.string(body["displayName"], "displayName"),
                                                         description: try GraphJSON.optionalString(body["description"], "description"),
                                                         mailNickname: try GraphJSON.optionalString(body["mailNickname"], "mailNickname"), by: actor)
            return GraphJSON.response(GraphObjects.group(group), status: .created)
        }
        v1.get("groups/{id}") { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            return try await self.groupResponse(try await self.admin.group(try context.parameters.require("id")), request)
        }
        v1.delete("groups/{id}") { request, context in
            let actor = try await self.actor(request, AdminAccess.directoryAdmins)
            try await self.admin.deleteGroup(try await self.admin.group(try context.parameters.require("id")), by: actor)
            return GraphJSON.noContent()
        }
        v1.get("groups/{id}/members") { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            let group = try await self.admin.group(try context.parameters.require("id"))
            let objects = try await self.members(of: group)
            return try await GraphObjects.page(objects, key: { $0["id"] as? String ?? "" }, request: request, baseURL: self.publicURL(),
                                         path: "/v1.0/groups/\(group.id)/members", context: "directoryObjects", render: { $0 }, select: nil)
        }
        v1.post("groups/{id}/members/$ref") { request, context in
            let actor = try await self.actor(request, AdminAccess.directoryAdmins)
            let group = try await self.admin.group(try context.parameters.require("id"))
            try await self.admin.addMember(try await Self.reference(request), to: group, by: actor)
            return GraphJSON.noContent()
        }
        v1.delete("groups/{id}/members/{member}/$ref") { request, context in
            let actor = try await self.actor(request, AdminAccess.directoryAdmins)
            let group = try await self.admin.group(try context.parameters.require("id"))
            try await self.admin.removeMember(try context.parameters.require("member"), from: group, by: actor)
            return GraphJSON.noContent()
        }
    }

    /// The object id in a `$ref` body: `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`.
    static func reference(_ request: Request) async throws -> String {
        let body = try await GraphJSON.object(request)
        let ref = try GraphJSON.string(body["@odata.id"], "@odata.id")
        guard let id = ref.split(separator: "/").last.map(String.init), !id.isEmpty,
              ref.contains("/directoryObjects/") || ref.contains("/users/") || ref.contains("/groups/")
        else { throw TandemError(.badRequest, "@odata.id: expected .../v1.0/directoryObjects/{id}.") }
        return id.replacingOccurrences(of: "{", with: "").replacingOccurrences(of: "}", with: "")
    }

    func registerRoles(on v1: RouterGroup<TandemRequestContext>) {
        v1.get("directoryRoles") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            return GraphJSON.response(["@odata.context": "\(self.publicURL())/v1.0/$metadata#directoryRoles",
                                       "value": DirectoryRole.allCases.map(GraphObjects.role)])
        }
        v1.get("directoryRoles/{id}") { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            return GraphJSON.response(GraphObjects.role(try Self.role(context)))
        }
        v1.get("directoryRoles/{id}/members") { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            var users: [User] = []
            for id in try await self.storage.roleMembers(try Self.role(context).rawValue) {
                if let user = try await self.storage.user(id: id) { users.append(user) }
            }
            return GraphJSON.response(["@odata.context": "\(self.publicURL())/v1.0/$metadata#directoryObjects", "value": users.map(GraphObjects.user)])
        }
        v1.post("directoryRoles/{id}/members/$ref") { request, context in
            let actor = try await self.actor(request, AdminAccess.directoryAdmins)
            let role = try Self.role(context)
            try await self.admin.assign(role, to: try await self.admin.user(try await Self.reference(request)), by: actor)
            return GraphJSON.noContent()
        }
        v1.delete("directoryRoles/{id}/members/{member}/$ref") { request, context in
            let actor = try await self.actor(request, AdminAccess.directoryAdmins)
            let role = try Self.role(context)
            try await self.admin.unassign(role, from: try await self.admin.user(try context.parameters.require("member")), by: actor)
            return GraphJSON.noContent()
        }
    }

    /// A role by id (= template id), `roleTemplateId=...`, or display name.
    static func role(_ context: TandemRequestContext) throws -> DirectoryRole {
        var key = try context.parameters.require("id")
        if key.hasPrefix("roleTemplateId=") { key = String(key.dropFirst("roleTemplateId=".count)) }
        guard let role = DirectoryRole.named(key) else {
            throw TandemError(.notFound, "Resource '\(key)' does not exist or one of its queried reference-property objects are not present.")
        }
        return role
    }

    func registerMethods(on v1: RouterGroup<TandemRequestContext>) {
        let base = "users/{id}/authentication/microsoftAuthenticatorMethods"
        v1.get(RouterPath(base)) { request, context in
            let user = try await self.methodsOwner(request, context)
            let devices = try await self.storage.devices(userID: user.id)
            return GraphJSON.response(["@odata.context": "\(self.publicURL())/v1.0/$metadata#users('\(user.id)')/authentication/microsoftAuthenticatorMethods",
                                       "value": devices.map(GraphObjects.authenticatorMethod)])
        }
        v1.get(RouterPath(base + "/{method}")) { request, context in
            _ = try await self.methodsOwner(request, context)
            let (_, device) = try await self.method(context)
            return GraphJSON.response(GraphObjects.authenticatorMethod(device))
        }
        v1.delete(RouterPath(base + "/{method}")) { request, context in
            let actor = try await self.actor(request, AdminAccess.methodAdmins)
            let (user, device) = try await self.method(context)
            try await self.admin.removeDevice(device, of: user, by: actor)
            return GraphJSON.noContent()
        }
        v1.get("users/{id}/authentication/signInPreferences") { request, context in
            let user = try await self.methodsOwner(request, context)
            // Decision 0033: whether the tenant's systemCredentialPreferences apply to the user, and
            // the method the sign-in asks for first when they do.
            let preferred = try await SignInService(env: self.env).systemPreferredMethod(for: user)
            return GraphJSON.response(["isSystemPreferredAuthenticationMethodEnabled": preferred.enabled,
                                       "systemPreferredAuthenticationMethod": (preferred.method as Any?) ?? NSNull(),
                                       "userPreferredMethodForSecondaryAuthentication": (user.preferredMethod as Any?) ?? NSNull()])
        }
        v1.patch("users/{id}/authentication/signInPreferences") { request, context in
            let actor = try await self.actor(request, AdminAccess.methodAdmins)
            let user = try await self.admin.user(try context.parameters.require("id"))
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["userPreferredMethodForSecondaryAuthentication", "isSystemPreferredAuthenticationMethodEnabled"],
                                    type: "microsoft.graph.signInPreferences")
            var preferred: String?? = nil
            if let value = body["userPreferredMethodForSecondaryAuthentication"] {
                let text = try GraphJSON.string(value, "userPreferredMethodForSecondaryAuthentication")
                guard ["push", "oath"].contains(text) else {
                    throw TandemError(.badRequest, "userPreferredMethodForSecondaryAuthentication: '\(text)' is not one of push, oath.")
                }
                preferred = .some(text)
            }
            _ = try await self.admin.updateUser(user, displayName: nil, accountEnabled: nil, password: nil, mfaState: nil,
                                                preferredMethod: preferred, by: actor)
            return GraphJSON.noContent()
        }
    }

    func method(_ context: TandemRequestContext) async throws -> (User, Device) {
        let user = try await admin.user(try context.parameters.require("id"))
        let id = try context.parameters.require("method")
        guard let device = try await storage.device(id: id), device.userID == user.id, device.state != .removed else {
            throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return (user, device)
    }
}
