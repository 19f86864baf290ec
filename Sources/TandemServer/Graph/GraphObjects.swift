import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Graph shapes of directory objects, and `$select` / `$top` / `@odata.nextLink` paging.
enum GraphObjects {
    static let userProperties: [String] = ["id", "displayName", "userPrincipalName", "accountEnabled", "mail", "givenName", "surname",
                                           "jobTitle", "createdDateTime"]

    static func user(_ user: User) -> [String: Any] {
        ["@odata.type": "#microsoft.graph.user", "id": user.id, "displayName": user.displayName, "userPrincipalName": user.userPrincipalName,
         "accountEnabled": user.accountEnabled, "mail": NSNull(), "givenName": NSNull(), "surname": NSNull(), "jobTitle": NSNull(),
         "createdDateTime": GraphJSON.date(user.createdAt)]
    }

    /// What `$expand=…($select=…)` may pick from expanded directory objects (users, groups, roles).
    static let directoryObjectProperties: [String] = Array(Set(userProperties + groupProperties + ["description", "roleTemplateId"])).sorted()

    static let groupProperties: [String] = ["id", "displayName", "description", "mailNickname", "mailEnabled", "securityEnabled",
                                            "groupTypes", "createdDateTime"]

    static func group(_ group: Group) -> [String: Any] {
        ["@odata.type": "#microsoft.graph.group", "id": group.id, "displayName": group.displayName,
         "description": (group.description as Any?) ?? NSNull(), "mailNickname": group.mailNickname, "mailEnabled": false,
         "securityEnabled": group.securityEnabled, "groupTypes": [String](), "createdDateTime": GraphJSON.date(group.createdAt)]
    }

    static func role(_ role: DirectoryRole) -> [String: Any] {
        ["@odata.type": "#microsoft.graph.directoryRole", "id": role.rawValue, "displayName": role.displayName,
         "description": role.description, "roleTemplateId": role.rawValue]
    }

    static func authenticatorMethod(_ device: Device) -> [String: Any] {
        ["@odata.type": "#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "id": device.id, "displayName": device.name,
         "deviceTag": "SoftwareTokenActivated", "phoneAppVersion": device.appVersion,
         "createdDateTime": GraphJSON.date(device.createdAt),
         "tandemState": device.state.rawValue, "tandemPhoneSignInEnabled": device.phoneSignInKey != nil]
    }

    static func audit(_ e: AuditEntry) -> [String: Any] {
        var target: [String: Any] = ["id": e.targetID, "displayName": (e.targetName as Any?) ?? NSNull(), "type": e.targetType,
                                     "userPrincipalName": e.targetType == "User" ? ((e.targetName as Any?) ?? NSNull()) : NSNull(),
                                     "modifiedProperties": [[String: Any]]()]
        if let property = e.property {
            let modified: [String: Any] = ["displayName": property, "oldValue": (e.oldValue as Any?) ?? NSNull(), "newValue": (e.newValue as Any?) ?? NSNull()]
            target["modifiedProperties"] = [modified]
        }
        let initiator: [String: Any]
        if let id = e.initiatedByID {
            let user: [String: Any] = ["id": id, "userPrincipalName": (e.initiatedByName as Any?) ?? NSNull(), "displayName": NSNull(), "ipAddress": NSNull()]
            initiator = ["user": user]
        } else {
            let app: [String: Any] = ["displayName": e.initiatedByName ?? "tandem", "appId": NSNull(), "servicePrincipalId": NSNull()]
            initiator = ["app": app]
        }
        return ["id": e.id, "category": e.category, "correlationId": e.id, "result": e.result, "resultReason": "",
                "activityDisplayName": e.activity, "activityDateTime": GraphJSON.date(e.activityAt), "loggedByService": "Core Directory",
                "operationType": e.operationType, "initiatedBy": initiator, "targetResources": [target], "additionalDetails": [[String: Any]]()]
    }

    /// The `$select` list, checked against the resource's properties.
    static func select(_ request: Request, allowed: [String], type: String) throws -> [String]? {
        guard let text = try GraphQuery(request)[.select], !text.isEmpty else { return nil }
        let fields = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        for field in fields where !allowed.contains(field) {
            throw TandemError(.badRequest, "Could not find a property named '\(field)' on type '\(type)'.")
        }
        return fields
    }

    /// `$top`: 1 to 999, default 100.
    static func top(_ request: Request) throws -> Int {
        guard let text = try GraphQuery(request)[.top] else { return 100 }
        guard let value = Int(text), (1...999).contains(value) else {
            throw TandemError(.badRequest, "Invalid page size specified: '\(text)'. Must be between 1 and 999 inclusive.")
        }
        return value
    }

    /// Keeps only the selected properties (and always `id`, and what `$expand` added).
    static func project(_ object: [String: Any], _ select: [String]?) -> [String: Any] {
        guard let select else { return object }
        return object.filter { select.contains($0.key) || ["id", "@odata.type", "members", "memberOf"].contains($0.key) }
    }

    /// The `$skiptoken` of newest-first logs (audits, sign-ins): the last entry's time and id.
    static func timeCursorToken(_ time: Date, _ id: String) -> String {
        Base64URL.encode(Array("\(Int64((time.timeIntervalSince1970 * 1000).rounded())) \(id)".utf8))
    }

    /// Reads `timeCursorToken`'s `$skiptoken`, if any: the entries to return are older than it.
    static func timeCursor(_ request: Request) throws -> (Date, String)? {
        guard let token = try GraphQuery(request)[.skiptoken] else { return nil }
        guard let bytes = Base64URL.decode(token), let text = String(bytes: bytes, encoding: .utf8),
              let space = text.firstIndex(of: " "), let millis = Int64(text[..<space])
        else { throw TandemError(.badRequest, "$skiptoken is not valid.") }
        return (Date(timeIntervalSince1970: Double(millis) / 1000), String(text[text.index(after: space)...]))
    }

    /// One page of `items` (already sorted by a stable key, `descending` or not), after the `$skiptoken` key. With
    /// `count`, the answer carries `@odata.count` (all items, not the page); the next link keeps
    /// every option that shaped the answer (`$filter`, `$search`, `$count`, `$expand`, `$select`, `$orderby`); following it needs the same headers.
    static func page<T>(_ items: [T], key: (T) -> String, request: Request, baseURL: String, path: String, context: String,
                        render: (T) async throws -> [String: Any], select: [String]?, count: Bool = false,
                        descending: Bool = false) async throws -> Response {
        let query = try GraphQuery(request)
        let top = try top(request)
        var remaining = items
        if let token = query[.skiptoken] {
            guard let bytes = Base64URL.decode(token), let after = String(bytes: bytes, encoding: .utf8) else {
                throw TandemError(.badRequest, "$skiptoken is not valid.")
            }
            remaining = items.filter { descending ? key($0) < after : key($0) > after }
        }
        let pageItems = Array(remaining.prefix(top))
        var rendered: [[String: Any]] = []
        for item in pageItems { rendered.append(project(try await render(item), select)) }
        var body: [String: Any] = ["@odata.context": "\(baseURL)/v1.0/$metadata#\(context)", "value": rendered]
        if count { body["@odata.count"] = items.count }
        if remaining.count > top, let last = pageItems.last {
            var link = "$top=\(top)&$skiptoken=\(Base64URL.encode(Array(key(last).utf8)))"
            for option in [GraphQuery.Option.select, .filter, .search, .count, .expand, .orderby] {
                if let value = query[option] { link += "&$\(option.rawValue)=\(FormQuery.encode(value))" }
            }
            body["@odata.nextLink"] = "\(baseURL)\(path)?\(link)"
        }
        return GraphJSON.response(body)
    }
}
