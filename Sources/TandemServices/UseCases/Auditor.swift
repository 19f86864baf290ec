import Foundation
import TandemCore

/// Writes audit entries: who changed what, when, old and new value.
public struct Auditor: Sendable {
    let env: ServiceEnvironment

    public init(env: ServiceEnvironment) { self.env = env }

    /// Records one change made by `actor` (`nil` for the system or the command line).
    public func record(_ category: String, _ activity: String, _ operation: String, actor: User?,
                       targetType: String, targetID: String, targetName: String?,
                       property: String? = nil, old: String? = nil, new: String? = nil) async throws {
        try await env.storage.insertAudit(AuditEntry(
            id: env.random.identifier(), activityAt: env.clock.now(), category: category, activity: activity,
            operationType: operation, initiatedByID: actor?.id, initiatedByName: actor?.userPrincipalName ?? "tandem (command line)",
            targetType: targetType, targetID: targetID, targetName: targetName, property: property, oldValue: old, newValue: new))
    }
}
