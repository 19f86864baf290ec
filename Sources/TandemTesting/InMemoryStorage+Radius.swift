import Foundation
import TandemCore
import TandemServices

extension InMemoryStorage {
    public func insertRadiusClient(_ client: RadiusClient) throws {
        guard !radiusClientsByID.values.contains(where: { $0.displayName.lowercased() == client.displayName.lowercased() || $0.id == client.id })
        else { throw TandemError(.conflict, "A RADIUS client with that name already exists.") }
        radiusClientsByID[client.id] = client
    }
    public func radiusClient(id: String) -> RadiusClient? { radiusClientsByID[id] }
    public func radiusClients() -> [RadiusClient] {
        radiusClientsByID.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
    public func deleteRadiusClient(id: String) -> Bool { radiusClientsByID.removeValue(forKey: id) != nil }
}
