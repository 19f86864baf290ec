import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Groups: list, create, members (users and nested groups), and which policy targets use them.
extension AdminDirectoryController {
    func registerGroups(on router: Router<TandemRequestContext>) {
        router.get("/admin/groups") { request, _ in
            try await self.groups(try await self.portal.visitor(request))
        }
        router.post("/admin/groups") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.directoryAdmins)
            let form = try await self.portal.form(request, visitor)
            let description = form["description"].flatMap { $0.isEmpty ? nil : $0 }
            do {
                let group = try await self.admin.createGroup(displayName: form["displayName"] ?? "", description: description,
                                                             mailNickname: nil, by: visitor.user)
                return Web.redirect("/admin/groups/\(group.id)?saved=created")
            } catch let error as TandemError where error.code == .badRequest {
                return try await self.groups(visitor, error: error.message, status: .badRequest)
            }
        }
        router.get("/admin/groups/{id}") { request, context in
            let visitor = try await self.portal.visitor(request)
            let group = try await self.admin.group(try context.parameters.require("id"))
            let saved = request.uri.queryParameters.get("saved").flatMap { Self.groupMessages[String($0)] }
            return try await self.group(group, visitor, saved: saved)
        }
        router.post("/admin/groups/{id}/members") { request, context in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.directoryAdmins)
            let form = try await self.portal.form(request, visitor)
            let group = try await self.admin.group(try context.parameters.require("id"))
            let typed = (form["member"] ?? "").trimmingCharacters(in: .whitespaces)
            do {
                try await self.admin.addMember(try await self.memberID(typed), to: group, by: visitor.user)
            } catch let error as TandemError where [.badRequest, .notFound].contains(error.code) {
                return try await self.group(group, visitor, error: error.message, status: .badRequest)
            }
            return Web.redirect("/admin/groups/\(group.id)?saved=added")
        }
        router.post("/admin/groups/{id}/members/{member}/remove") { request, context in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.directoryAdmins)
            let form = try await self.portal.form(request, visitor)
            let group = try await self.admin.group(try context.parameters.require("id"))
            let member = try context.parameters.require("member")
            guard form["confirm"] == "yes" else {
                return self.confirm(visitor, heading: "Remove member", action: "/admin/groups/\(group.id)/members/\(member)/remove",
                                    message: "Remove \(try await self.memberName(member)) from \(group.displayName)? Policies that target the group stop applying to them.",
                                    button: "Remove", back: "/admin/groups/\(group.id)", section: .groups)
            }
            do {
                try await self.admin.removeMember(member, from: group, by: visitor.user)
            } catch let error as TandemError where error.code == .notFound {
                return try await self.group(group, visitor, error: error.message, status: .notFound)
            }
            return Web.redirect("/admin/groups/\(group.id)?saved=removed")
        }
    }

    static let groupMessages = ["created": "The group was created.", "added": "The member was added.", "removed": "The member was removed."]

    /// A member typed as a user principal name, an object id or a group's name.
    func memberID(_ typed: String) async throws -> String {
        if let user = try await storage.user(principalName: typed) { return user.id }
        if let group = try await storage.groups().first(where: { $0.displayName.caseInsensitiveCompare(typed) == .orderedSame }) { return group.id }
        return typed
    }

    func memberName(_ id: String) async throws -> String {
        if let user = try await storage.user(id: id) { return user.userPrincipalName }
        if let group = try await storage.group(id: id) { return group.displayName }
        return id
    }

    func groups(_ visitor: AdminPortal.Visitor, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        var rows: [[String: Any]] = []
        for group in try await storage.groups().sorted(by: { $0.displayName.lowercased() < $1.displayName.lowercased() }) {
            rows.append(["id": group.id, "name": group.displayName, "description": group.description ?? "",
                         "members": try await storage.members(groupID: group.id).count])
        }
        var values: [String: Any] = ["groups": rows, "mayCreate": visitor.holds(AdminAccess.directoryAdmins)]
        if let error { values["error"] = error }
        return portal.page("groups", title: "Groups", section: .groups, visitor, values, status: status)
    }

    func group(_ group: Group, _ visitor: AdminPortal.Visitor, saved: String? = nil, error: String? = nil,
               status: HTTPResponse.Status = .ok) async throws -> Response {
        let mayManage = visitor.holds(AdminAccess.directoryAdmins)
        var members: [[String: Any]] = []
        for member in try await storage.members(groupID: group.id) {
            let isUser = member.kind == .user
            members.append(["id": member.id, "groupId": group.id, "name": try await memberName(member.id), "type": isUser ? "User" : "Group (nested)",
                            "link": isUser ? "/admin/users/\(member.id)" : "/admin/groups/\(member.id)", "mayManage": mayManage, "csrf": visitor.csrf])
        }
        var values: [String: Any] = ["id": group.id, "name": group.displayName, "description": group.description ?? "", "members": members,
                                     "mayManage": mayManage, "usedBy": try await usedBy(group.id)]
        if let saved { values["saved"] = saved }
        if let error { values["error"] = error }
        return portal.page("group", title: group.displayName, section: .groups, visitor, values, status: status)
    }

    /// Which targets of the Microsoft Authenticator policy name the group.
    func usedBy(_ groupID: String) async throws -> [String] {
        let policy = try await PolicyService(env: env).authenticatorPolicy()
        var uses: [String] = []
        if let target = policy.includeTargets.first(where: { $0.id == groupID }) {
            uses.append("Microsoft Authenticator: included, mode \(target.authenticationMode.rawValue)")
        }
        if policy.excludeTargets.contains(where: { $0.id == groupID }) { uses.append("Microsoft Authenticator: excluded") }
        let features = policy.featureSettings
        for (name, feature) in [("Show application name", features.displayAppInformationRequiredState),
                                ("Show geographic location", features.displayLocationInformationRequiredState),
                                ("Companion app", features.companionAppAllowedState)] {
            if feature.includeTarget.id == groupID { uses.append("\(name): included") }
            if feature.excludeTarget.id == groupID { uses.append("\(name): excluded") }
        }
        return uses
    }
}
