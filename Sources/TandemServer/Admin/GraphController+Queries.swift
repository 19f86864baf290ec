import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The query side of users and groups (decision 0026): `$filter`, `$search`, `$count`, `$expand`
/// through `GraphQuery`, the `$count` segments, a user's `memberOf` and `authentication/methods`,
/// and `/me` for a delegated token.
extension GraphController {
    func registerQueries(on v1: RouterGroup<TandemRequestContext>) {
        v1.get("users/$count") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            return try Self.countSegment(try await self.queriedUsers(try GraphQuery(request)).count, request)
        }
        v1.get("groups/$count") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            return try Self.countSegment(try await self.queriedGroups(try GraphQuery(request)).count, request)
        }
        v1.get("users/{id}/memberOf") { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            let user = try await self.admin.user(try context.parameters.require("id"))
            return try await GraphObjects.page(try await self.memberOf(user), key: { $0["id"] as? String ?? "" }, request: request,
                                               baseURL: self.publicURL(), path: "/v1.0/users/\(user.id)/memberOf", context: "directoryObjects",
                                               render: { $0 }, select: nil)
        }
        v1.get("users/{id}/authentication/methods") { request, context in
            let user = try await self.methodsOwner(request, context)
            return GraphJSON.response([
                "@odata.context": "\(self.publicURL())/v1.0/$metadata#users('\(user.id)')/authentication/methods",
                "value": try await self.authenticationMethods(of: user),
            ])
        }
        v1.get("me") { request, _ in
            let caller = try await self.actor(request, AdminAccess.readers)
            // An application acting for itself (client credentials) has no "me", as in Graph.
            guard let user = try await self.storage.user(id: caller.id) else {
                throw TandemError(.badRequest, "/me request is only valid with delegated authentication flow.", wireCode: "BadRequest")
            }
            return try await self.userResponse(user, request)
        }
    }

    /// `GET /users/{id}` and `/me`: `$select`, `$expand=memberOf`.
    func userResponse(_ user: User, _ request: Request) async throws -> Response {
        let query = try GraphQuery(request)
        let select = try GraphObjects.select(request, allowed: GraphObjects.userProperties, type: "microsoft.graph.user")
        var object = GraphObjects.user(user)
        if let expand = try query.expand(allowed: "memberOf", type: "microsoft.graph.user", selectable: GraphObjects.directoryObjectProperties) {
            object["memberOf"] = Self.expanded(try await memberOf(user), expand)
        }
        return GraphJSON.response(GraphObjects.project(object, select))
    }

    /// `GET /groups/{id}`: `$select`, `$expand=members`.
    func groupResponse(_ group: Group, _ request: Request) async throws -> Response {
        let query = try GraphQuery(request)
        let select = try GraphObjects.select(request, allowed: GraphObjects.groupProperties, type: "microsoft.graph.group")
        var object = GraphObjects.group(group)
        if let expand = try query.expand(allowed: "members", type: "microsoft.graph.group", selectable: GraphObjects.directoryObjectProperties) {
            object["members"] = Self.expanded(try await members(of: group), expand)
        }
        return GraphJSON.response(GraphObjects.project(object, select))
    }

    /// `GET /users`: the page of users the query selects.
    func usersResponse(_ request: Request) async throws -> Response {
        let query = try GraphQuery(request)
        let select = try GraphObjects.select(request, allowed: GraphObjects.userProperties, type: "microsoft.graph.user")
        let expand = try query.expand(allowed: "memberOf", type: "microsoft.graph.user", selectable: GraphObjects.directoryObjectProperties)
        let count = try query.count()
        let order = try query.orderBy(allowed: ["displayName", "userPrincipalName"], type: "microsoft.graph.user")
        let key: @Sendable (User) -> String = Self.sortKey(order?.property, id: \.id) { $1 == "displayName" ? $0.displayName : $0.userPrincipalName }
        let users = try await queriedUsers(query).sorted { order?.descending == true ? key($0) > key($1) : key($0) < key($1) }
        return try await GraphObjects.page(users, key: key, request: request, baseURL: publicURL(), path: "/v1.0/users", context: "users",
                                           render: { user in
                                               var object = GraphObjects.user(user)
                                               if let expand { object["memberOf"] = Self.expanded(try await self.memberOf(user), expand) }
                                               return object
                                           }, select: select, count: count, descending: order?.descending ?? false)
    }

    /// `GET /groups`: the page of groups the query selects.
    func groupsResponse(_ request: Request) async throws -> Response {
        let query = try GraphQuery(request)
        let select = try GraphObjects.select(request, allowed: GraphObjects.groupProperties, type: "microsoft.graph.group")
        let expand = try query.expand(allowed: "members", type: "microsoft.graph.group", selectable: GraphObjects.directoryObjectProperties)
        let count = try query.count()
        let order = try query.orderBy(allowed: ["displayName"], type: "microsoft.graph.group")
        let key: @Sendable (Group) -> String = Self.sortKey(order?.property, id: \.id) { group, _ in group.displayName }
        let groups = try await queriedGroups(query).sorted { order?.descending == true ? key($0) > key($1) : key($0) < key($1) }
        return try await GraphObjects.page(groups, key: key, request: request, baseURL: publicURL(), path: "/v1.0/groups", context: "groups",
                                           render: { group in
                                               var object = GraphObjects.group(group)
                                               if let expand { object["members"] = Self.expanded(try await self.members(of: group), expand) }
                                               return object
                                           }, select: select, count: count, descending: order?.descending ?? false)
    }

    /// The paging key: the id, or with `$orderby` the property (case-insensitive) then the id, so
    /// equal names keep a stable order and the `$skiptoken` names one place in it.
    static func sortKey<T>(_ property: String?, id: @escaping @Sendable (T) -> String,
                           _ value: @escaping @Sendable (T, String) -> String) -> @Sendable (T) -> String {
        guard let property else { return id }
        return { value($0, property).lowercased() + "\u{1}" + id($0) }
    }

    /// Users matching `$filter` and `$search`, by id.
    func queriedUsers(_ query: GraphQuery) async throws -> [User] {
        let filter = try query.filter(GraphSchemas.user)
        let search = try query.search(searchable: GraphSchemas.userSearch)
        return try await storage.users().filter { user in
            (filter.map { GraphSchemas.user.matches(user, $0) } ?? true) && (search?.matches { GraphSchemas.searchValue(user, $0) } ?? true)
        }.sorted { $0.id < $1.id }
    }

    /// Groups matching `$filter` and `$search`, by id.
    func queriedGroups(_ query: GraphQuery) async throws -> [Group] {
        let filter = try query.filter(GraphSchemas.group)
        let search = try query.search(searchable: GraphSchemas.groupSearch)
        return try await storage.groups().filter { group in
            (filter.map { GraphSchemas.group.matches(group, $0) } ?? true) && (search?.matches { GraphSchemas.searchValue(group, $0) } ?? true)
        }.sorted { $0.id < $1.id }
    }

    /// A user's direct memberships, as Graph lists them: groups and directory roles, by id.
    func memberOf(_ user: User) async throws -> [[String: Any]] {
        var objects: [[String: Any]] = []
        for id in try await storage.groupsContaining(memberID: user.id) {
            if let group = try await storage.group(id: id) { objects.append(GraphObjects.group(group)) }
        }
        for id in try await storage.roles(userID: user.id) {
            if let role = DirectoryRole(rawValue: id) { objects.append(GraphObjects.role(role)) }
        }
        return objects.sorted { ($0["id"] as? String ?? "") < ($1["id"] as? String ?? "") }
    }

    /// A group's direct members: users and nested groups.
    func members(of group: Group) async throws -> [[String: Any]] {
        var objects: [[String: Any]] = []
        for member in try await storage.members(groupID: group.id) {
            if member.kind == .user, let user = try await storage.user(id: member.id) { objects.append(GraphObjects.user(user)) }
            if member.kind == .group, let nested = try await storage.group(id: member.id) { objects.append(GraphObjects.group(nested)) }
        }
        return objects
    }

    /// Expanded navigation properties hold at most 20 objects, as in Graph.
    static func expanded(_ objects: [[String: Any]], _ select: [String]?) -> [[String: Any]] {
        objects.prefix(20).map { GraphObjects.project($0, select) }
    }

    /// `/$count`: a plain-text number, in an advanced query only (as in Graph).
    static func countSegment(_ count: Int, _ request: Request) throws -> Response {
        guard try GraphQuery(request).eventual else {
            throw TandemError(.badRequest, "Count is not currently supported. Send the header 'ConsistencyLevel: eventual' to count.")
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(string: String(count))))
    }

    /// Graph's `authenticationMethod` list: password, Microsoft Authenticator, software OATH
    /// (the authenticator's codes), FIDO2 passkeys and Temporary Access Passes, each with its `@odata.type`.
    func authenticationMethods(of user: User) async throws -> [[String: Any]] {
        var methods: [[String: Any]] = []
        if user.passwordHash != nil {
            // Graph's well-known id of the password method; the password itself is never returned.
            methods.append(["@odata.type": "#microsoft.graph.passwordAuthenticationMethod", "id": "28c10230-6103-485e-b985-444c60001490",
                            "password": NSNull(), "createdDateTime": GraphJSON.date(user.createdAt)])
        }
        let devices = try await storage.devices(userID: user.id).filter { $0.state != .removed }
        methods += devices.map(GraphObjects.authenticatorMethod)
        let active = Dictionary(devices.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        for credential in try await storage.totpCredentials(userID: user.id) where credential.kind == .device {
            guard let device = active[credential.deviceID] else { continue }
            methods.append(["@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", "id": device.id, "secretKey": NSNull(),
                            "createdDateTime": GraphJSON.date(device.createdAt)])
        }
        methods += try await SoftwareOathService(env: env).methods(of: user).map(Self.softwareOathObject)
        methods += try await PasskeyService(env: env).passkeys(of: user).map(Self.fido2Object)
        let now = env.clock.now()
        methods += try await TemporaryAccessPassService(env: env).passes(of: user).map { Self.passObject($0, now: now) }
        return methods
    }
}
