import Foundation
import TandemCore
import TandemServices

/// The twin's transactions: one at a time, each on a snapshot of every table that is put back
/// when the body throws. The twin does not hold back other callers while a transaction runs, so a
/// rollback also undoes their writes made meanwhile; the SQL stores are the ones tested for that.
extension InMemoryStorage {
    public func transaction<T: Sendable>(_ body: @Sendable (any TandemStorage) async throws -> T) async throws -> T {
        if let hold = InMemoryTransactionHold.current, hold.storage == ObjectIdentifier(self) {
            return try await rollingBack(body)  // nested: a savepoint
        }
        if transactionOpen {
            await withCheckedContinuation { transactionQueue.append($0) }
        } else {
            transactionOpen = true
        }
        defer {
            if transactionQueue.isEmpty { transactionOpen = false } else { transactionQueue.removeFirst().resume() }
        }
        return try await InMemoryTransactionHold.$current.withValue(InMemoryTransactionHold(storage: ObjectIdentifier(self))) {
            try await rollingBack(body)
        }
    }

    private func rollingBack<T: Sendable>(_ body: @Sendable (any TandemStorage) async throws -> T) async throws -> T {
        let saved = Snapshot(of: self)
        do {
            return try await body(self)
        } catch {
            saved.restore(into: self)
            throw error
        }
    }

    struct Snapshot {
        let usersByID: [String: User], devicesByID: [String: Device], challengesByID: [String: Challenge]
        let activationsByID: [String: Activation], flowsByID: [String: SignInFlow], sessionsByID: [String: Session]
        let groupsByID: [String: Group], membership: [(group: String, member: GroupMember)], roleAssignments: Set<String>
        let policies: [String: String], auditLog: [AuditEntry], signingKeyList: [StoredSigningKey]
        let remembered: [String: (String, Date)], securityByUser: [String: UserSecurity], signInsByID: [String: SignInRecord]
        let trails: [String: [TrailEvent]], networksByUser: [String: [String: String]], namedLocationList: [NamedLocation]
        let oidc: InMemoryOIDCTables, portal: InMemoryPortalTables, deviceHardening: InMemoryDeviceHardeningTables
        let adminHardening: InMemoryAdminHardeningTables, throttles: [String: ThrottleRecord], passkeyTables: InMemoryPasskeyTables
        let webPushSubscriptions: [String: WebPushSubscription], radiusClientsByID: [String: RadiusClient]

        init(of s: isolated InMemoryStorage) {
            (usersByID, devicesByID, challengesByID) = (s.usersByID, s.devicesByID, s.challengesByID)
            (activationsByID, flowsByID, sessionsByID) = (s.activationsByID, s.flowsByID, s.sessionsByID)
            (groupsByID, membership, roleAssignments) = (s.groupsByID, s.membership, s.roleAssignments)
            (policies, auditLog, signingKeyList) = (s.policies, s.auditLog, s.signingKeyList)
            (remembered, securityByUser, signInsByID) = (s.remembered, s.securityByUser, s.signInsByID)
            (trails, networksByUser, namedLocationList) = (s.trails, s.networksByUser, s.namedLocationList)
            (oidc, portal, deviceHardening) = (s.oidc, s.portal, s.deviceHardening)
            (adminHardening, throttles, passkeyTables) = (s.adminHardening, s.throttles, s.passkeyTables)
            (webPushSubscriptions, radiusClientsByID) = (s.webPushSubscriptions, s.radiusClientsByID)
        }

        func restore(into s: isolated InMemoryStorage) {
            (s.usersByID, s.devicesByID, s.challengesByID) = (usersByID, devicesByID, challengesByID)
            (s.activationsByID, s.flowsByID, s.sessionsByID) = (activationsByID, flowsByID, sessionsByID)
            (s.groupsByID, s.membership, s.roleAssignments) = (groupsByID, membership, roleAssignments)
            (s.policies, s.auditLog, s.signingKeyList) = (policies, auditLog, signingKeyList)
            (s.remembered, s.securityByUser, s.signInsByID) = (remembered, securityByUser, signInsByID)
            (s.trails, s.networksByUser, s.namedLocationList) = (trails, networksByUser, namedLocationList)
            (s.oidc, s.portal, s.deviceHardening) = (oidc, portal, deviceHardening)
            (s.adminHardening, s.throttles, s.passkeyTables) = (adminHardening, throttles, passkeyTables)
            (s.webPushSubscriptions, s.radiusClientsByID) = (webPushSubscriptions, radiusClientsByID)
        }
    }
}

/// Marks the task (and its children) running a transaction of one `InMemoryStorage`.
struct InMemoryTransactionHold: Sendable {
    let storage: ObjectIdentifier
    @TaskLocal static var current: InMemoryTransactionHold?
}
