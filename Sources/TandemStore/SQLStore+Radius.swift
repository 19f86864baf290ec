import Foundation
import SQLKit
import TandemCore
import TandemServices

/// `RadiusStore` over SQLKit: the client as a JSON document, its lowercased name unique.
extension SQLStore: RadiusStore {
    public func insertRadiusClient(_ client: RadiusClient) async throws {
        let inserted = try await db.raw("""
            INSERT INTO radius_clients (id, name_key, body, created_at)
            VALUES (\(bind: client.id), \(bind: client.displayName.lowercased()), \(bind: try Self.encodeBody(client)),
                    \(bind: Self.millis(client.createdAt)))
            ON CONFLICT DO NOTHING RETURNING id
            """).first()
        guard inserted != nil else { throw TandemError(.conflict, "A RADIUS client with that name already exists.") }
    }

    public func radiusClient(id: String) async throws -> RadiusClient? {
        try await db.raw("SELECT body FROM radius_clients WHERE id = \(bind: id)").first()
            .map { try Self.decodeBody(RadiusClient.self, $0) }
    }

    public func radiusClients() async throws -> [RadiusClient] {
        try await db.raw("SELECT body FROM radius_clients ORDER BY created_at, id").all()
            .map { try Self.decodeBody(RadiusClient.self, $0) }
    }

    public func deleteRadiusClient(id: String) async throws -> Bool {
        try await db.raw("DELETE FROM radius_clients WHERE id = \(bind: id) RETURNING id").first() != nil
    }
}
