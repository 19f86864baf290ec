import Foundation
import TandemCore
import TandemServices

/// The in-memory twin's tables for `AdminHardeningStore`.
struct InMemoryAdminHardeningTables {
    var validFrom: [String: Date] = [:]
    var consents: [OIDCConsent] = []
}

extension InMemoryStorage {
    public func deleteRememberedBrowsers(userID: String) { remembered = remembered.filter { $0.value.0 != userID } }
    public func setSessionsValidFrom(userID: String, at: Date) { adminHardening.validFrom[userID] = at }
    public func sessionsValidFrom(userID: String) -> Date? { adminHardening.validFrom[userID] }
    public func deleteSigningKey(kid: String) { signingKeyList.removeAll { $0.kid == kid } }

    public func recordConsent(_ consent: OIDCConsent) {
        adminHardening.consents.removeAll { $0.userID == consent.userID && $0.clientID == consent.clientID && $0.scope == consent.scope }
        adminHardening.consents.append(consent)
    }
    public func consents(userID: String) -> [OIDCConsent] {
        adminHardening.consents.filter { $0.userID == userID }.sorted { ($0.clientID, $0.scope) < ($1.clientID, $1.scope) }
    }
    @discardableResult
    public func deleteConsents(userID: String, clientID: String, scope: String?) -> Int {
        let before = adminHardening.consents.count
        adminHardening.consents.removeAll { $0.userID == userID && $0.clientID == clientID && (scope == nil || $0.scope == scope) }
        return before - adminHardening.consents.count
    }
    @discardableResult
    public func revokeGrants(userID: String, clientID: String, at: Date) -> Int {
        let ids = oidc.grants.values.filter { $0.userID == userID && $0.clientID == clientID && $0.revokedAt == nil }.map(\.id)
        for id in ids { oidc.grants[id]?.revokedAt = at }
        return ids.count
    }
}
