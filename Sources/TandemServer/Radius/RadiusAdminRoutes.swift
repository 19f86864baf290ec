import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// `/v1.0/tandem/radiusClients`, Graph-shaped (Graph has no RADIUS clients, hence the Tandem
/// path): list and get for every directory role; create (the shared secret is in the answer this
/// once, as `sharedSecret`) and delete for the Global Administrator. Audited by the registry.
struct RadiusAdminRoutes: Sendable {
    let graph: GraphController
    let registry: RadiusClientRegistry

    static let writers = AdminAccess.directoryAdmins

    func register(on v1: RouterGroup<TandemRequestContext>) {
        let base = "tandem/radiusClients"
        v1.get(RouterPath(base)) { request, _ in
            _ = try await self.graph.actor(request, AdminAccess.readers)
            return GraphJSON.response([
                "@odata.context": "\(self.graph.publicURL())/v1.0/$metadata#tandem/radiusClients",
                "value": try await self.registry.clients().map(Self.object),
            ])
        }
        v1.post(RouterPath(base)) { request, _ in
            let actor = try await self.graph.actor(request, Self.writers)
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["displayName", "address", "userNameSuffix"], type: "tandem.radiusClient")
            guard let name = body["displayName"], let address = body["address"] else {
                throw TandemError(.badRequest, "displayName and address are required.")
            }
            let (client, secret) = try await self.registry.register(name: try GraphJSON.string(name, "displayName"),
                                                                    address: try GraphJSON.string(address, "address"),
                                                                    userNameSuffix: try GraphJSON.optionalString(body["userNameSuffix"], "userNameSuffix"),
                                                                    by: actor)
            var object = Self.object(client)
            object["sharedSecret"] = secret
            object["@odata.context"] = "\(self.graph.publicURL())/v1.0/$metadata#tandem/radiusClients/$entity"
            return GraphJSON.response(object, status: .created)
        }
        v1.get(RouterPath(base + "/{id}")) { request, context in
            _ = try await self.graph.actor(request, AdminAccess.readers)
            return GraphJSON.response(Self.object(try await self.client(context)))
        }
        v1.delete(RouterPath(base + "/{id}")) { request, context in
            let actor = try await self.graph.actor(request, Self.writers)
            try await self.registry.delete(try await self.client(context), by: actor)
            return GraphJSON.noContent()
        }
    }

    func client(_ context: TandemRequestContext) async throws -> RadiusClient {
        let id = try context.parameters.require("id")
        guard let client = try await graph.storage.radiusClient(id: id) else {
            throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return client
    }

    /// The Graph-style object; `sharedSecret` is null except in the answer to the POST.
    static func object(_ client: RadiusClient) -> [String: Any] {
        ["@odata.type": "#tandem.radiusClient", "id": client.id, "displayName": client.displayName, "address": client.address,
         "createdDateTime": GraphJSON.date(client.createdAt), "userNameSuffix": client.userNameSuffix ?? NSNull(), "sharedSecret": NSNull()]
    }
}
