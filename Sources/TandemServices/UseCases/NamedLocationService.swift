import Foundation
import TandemCore

/// Named locations (IP ranges, trusted or not): one implementation of their rules and their
/// audit for every caller — Graph's `/identity/conditionalAccess/namedLocations` and the admin
/// portal. Callers check the role first (`AdminAccess.policyAdmins`); `actor` is `nil` for the
/// command line.
public struct NamedLocationService: Sendable {
    let env: ServiceEnvironment

    public init(env: ServiceEnvironment) { self.env = env }

    public func locations() async throws -> [NamedLocation] {
        try await env.storage.namedLocations()
    }

    /// Validates (1–256 characters of name, at least one CIDR range written with its prefix
    /// length), stores and audits a new location.
    public func create(displayName: String, ipRanges: [String], isTrusted: Bool, by actor: User?) async throws -> NamedLocation {
        let name = displayName.trimmingCharacters(in: .whitespaces)
        guard (1...256).contains(name.count) else { throw TandemError(.badRequest, "displayName must be 1 to 256 characters.") }
        for (index, cidr) in ipRanges.enumerated() where CIDR(cidr) == nil || !cidr.contains("/") {
            throw TandemError(.badRequest, "ipRanges[\(index)].cidrAddress: \(cidr) is not a CIDR range.")
        }
        guard !ipRanges.isEmpty else { throw TandemError(.badRequest, "ipRanges: at least one range is required.") }
        let location = NamedLocation(id: env.random.uuid(), displayName: name, ipRanges: ipRanges, isTrusted: isTrusted, createdAt: env.clock.now())
        try await env.storage.insertNamedLocation(location)
        try await Auditor(env: env).record("Policy", "Add named location", "Add", actor: actor, targetType: "Policy", targetID: location.id,
                                           targetName: location.displayName, property: "ipRanges", new: ipRanges.joined(separator: " "))
        return location
    }

    /// Deletes and audits a location; 404 when there is none with this id.
    public func delete(id: String, by actor: User?) async throws {
        let name = try await env.storage.namedLocations().first { $0.id == id }?.displayName
        guard try await env.storage.deleteNamedLocation(id: id) else {
            throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        try await Auditor(env: env).record("Policy", "Delete named location", "Delete", actor: actor, targetType: "Policy", targetID: id, targetName: name)
    }
}
