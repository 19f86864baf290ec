import Foundation
import TandemCore
import TandemServices

extension InMemoryStorage {
    public func security(userID: String) -> UserSecurity { securityByUser[userID] ?? UserSecurity() }

    public func reservePush(userID: String, expected: UserSecurity, now: Date) -> Bool {
        let current = security(userID: userID)
        guard current.pushesSinceSuccess == expected.pushesSinceSuccess, current.lastPushAt == expected.lastPushAt else { return false }
        var updated = current
        updated.pushesSinceSuccess += 1
        updated.lastPushAt = now
        securityByUser[userID] = updated
        return true
    }

    public func resetPushCounter(userID: String) {
        securityByUser[userID, default: UserSecurity()].pushesSinceSuccess = 0
        _ = recordPushFailure(userID: userID, reset: true)
    }

    public func lockPush(userID: String, at: Date) {
        var s = security(userID: userID)
        if s.pushLockedAt == nil {
            s.pushLockedAt = at
            securityByUser[userID] = s
        }
    }

    public func blockPush(userID: String, until: Date, riskLevel: String, riskDetail: String, at: Date) {
        var s = security(userID: userID)
        s.pushBlockedUntil = until
        s.riskLevel = riskLevel
        s.riskState = "atRisk"
        s.riskDetail = riskDetail
        s.riskUpdatedAt = at
        securityByUser[userID] = s
    }

    public func unblock(userID: String, at: Date) {
        var s = security(userID: userID)
        s.pushBlockedUntil = nil
        s.pushLockedAt = nil
        s.pushesSinceSuccess = 0
        if s.riskState != "none" {
            s.riskState = "dismissed"
            s.riskDetail = "adminDismissedAllRiskForUser"
        }
        s.riskLevel = "none"
        s.riskUpdatedAt = at
        securityByUser[userID] = s
        usersByID[userID]?.pushFailures = 0
    }

    public func riskyUsers() -> [(User, UserSecurity)] {
        securityByUser.compactMap { id, s in
            guard s.riskState != "none" || s.pushLockedAt != nil || s.pushBlockedUntil != nil, let user = usersByID[id] else { return nil }
            return (user, s)
        }.sorted { $0.0.id < $1.0.id }
    }

    public func insertSignIn(_ record: SignInRecord) { signInsByID[record.id] = record }
    public func amendSignIn(_ amendment: SignInAmendment) -> SignInRecord? {
        guard let record = signInsByID[amendment.id] else { return nil }
        let amended = amendment.applied(to: record)
        signInsByID[amendment.id] = amended
        return amended
    }
    public func signIn(id: String) -> SignInRecord? { signInsByID[id] }
    public func signIns(limit: Int, before: (Date, String)?) -> [SignInRecord] {
        signInsByID.values.sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
            .filter { r in before.map { (r.createdAt, r.id) < $0 } ?? true }.prefix(limit).map { $0 }
    }

    public func appendTrail(challengeID: String, _ event: TrailEvent) { trails[challengeID, default: []].append(event) }
    public func trail(challengeID: String) -> [TrailEvent] { trails[challengeID] ?? [] }
    public func challenges(signInID: String) -> [Challenge] {
        challengesByID.values.filter { $0.signInID == signInID }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func recordNetwork(userID: String, network: String, country: String?, at: Date) { networksByUser[userID, default: [:]][network] = country ?? "" }
    public func networks(userID: String) -> [(network: String, country: String?)] {
        (networksByUser[userID] ?? [:]).sorted { $0.key < $1.key }.map { ($0.key, $0.value.isEmpty ? nil : $0.value) }
    }

    public func insertNamedLocation(_ location: NamedLocation) { namedLocationList.append(location) }
    public func namedLocations() -> [NamedLocation] { namedLocationList }
    public func deleteNamedLocation(id: String) -> Bool {
        let before = namedLocationList.count
        namedLocationList.removeAll { $0.id == id }
        return before != namedLocationList.count
    }
    public func deleteSessions(userID: String) { sessionsByID = sessionsByID.filter { $0.value.userID != userID } }
}
