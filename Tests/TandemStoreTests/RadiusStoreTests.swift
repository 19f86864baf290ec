import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The RADIUS clients (migration 130), the same from every backend: names unique without
/// regard to case, oldest first, deleted once.
@Suite("RADIUS client storage conformance")
struct RadiusStoreTests {
    static func client(_ id: String, _ name: String, at seconds: Double) -> RadiusClient {
        RadiusClient(id: id, displayName: name, address: "192.0.2.0/24", sealedSecret: "v1.sealed-\(id)",
                     createdAt: Fixtures.t0.addingTimeInterval(seconds))
    }

    @Test("Clients are stored, listed oldest first, unique by name, and deleted once", arguments: Backend.allCases)
    func clients(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            try await s.insertRadiusClient(Self.client("b", "VPN", at: 10))
            try await s.insertRadiusClient(Self.client("a", "Wi-Fi", at: 20))
            await #expect(throws: TandemError(.conflict, "")) { try await s.insertRadiusClient(Self.client("c", "vpn", at: 30)) }
            #expect(try await s.radiusClients().map(\.id) == ["b", "a"])
            #expect(try await s.radiusClient(id: "b") == Self.client("b", "VPN", at: 10))
            #expect(try await s.deleteRadiusClient(id: "b"))
            #expect(try await s.deleteRadiusClient(id: "b") == false)
            #expect(try await s.radiusClient(id: "b") == nil)
            try await s.insertRadiusClient(Self.client("c", "vpn", at: 30))
            #expect(try await s.radiusClients().map(\.displayName) == ["Wi-Fi", "vpn"])
        }
    }

    @Test("A client added or removed in a transaction that throws is as it was", arguments: Backend.allCases)
    func rolledBack(backend: Backend) async throws {
        try await OpenStore.with(backend) { s throws in
            try await s.insertRadiusClient(Self.client("a", "VPN", at: 10))
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await s.transaction { tx in
                    try await tx.insertRadiusClient(Self.client("b", "Wi-Fi", at: 20))
                    _ = try await tx.deleteRadiusClient(id: "a")
                    throw Refused()
                }
            }
            #expect(try await s.radiusClients().map(\.id) == ["a"])
        }
    }
}
