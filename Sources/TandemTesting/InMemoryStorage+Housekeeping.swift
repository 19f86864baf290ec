import Foundation
import TandemCore
import TandemServices

extension InMemoryStorage {
    public func purgeChallenges(before: Date) -> Int {
        let gone = challengesByID.values.filter { $0.expiresAt < before }.map(\.id)
        for id in gone { challengesByID[id] = nil; trails[id] = nil }
        return gone.count
    }

    public func purgeFlows(before: Date) -> Int {
        let gone = flowsByID.values.filter { $0.expiresAt < before }.map(\.id)
        for id in gone { flowsByID[id] = nil }
        return gone.count
    }

    public func purgeActivations(before: Date) -> Int {
        let gone = activationsByID.values.filter { $0.expiresAt < before }.map(\.id)
        for id in gone { activationsByID[id] = nil }
        return gone.count
    }

    public func purgeSessions(before: Date) -> Int {
        let sessions = sessionsByID.values.filter { $0.expiresAt < before }.map(\.id)
        for id in sessions { sessionsByID[id] = nil }
        let browsers = remembered.filter { $0.value.1 < before }.map(\.key)
        for id in browsers { remembered[id] = nil }
        return sessions.count + browsers.count
    }

    public func purgeOIDC(before: Date) -> Int {
        let requests = oidc.authorizationRequests.values.filter { $0.expiresAt < before }.map(\.id)
        for id in requests { oidc.authorizationRequests[id] = nil }
        let codes = oidc.codes.values.filter { $0.expiresAt < before }.map(\.id)
        for id in codes { oidc.codes[id] = nil }
        let access = oidc.accessTokens.values.filter { $0.expiresAt < before }.map(\.id)
        for id in access { oidc.accessTokens[id] = nil }
        let refresh = oidc.refreshTokens.values.filter { $0.expiresAt < before }.map(\.id)
        for id in refresh { oidc.refreshTokens[id] = nil }
        let ciba = oidc.cibaRequests.values.filter { $0.expiresAt < before }.map(\.id)
        for id in ciba { oidc.cibaRequests[id] = nil }
        return requests.count + codes.count + access.count + refresh.count + ciba.count
    }

    public func purgeSignIns(before: Date) -> Int {
        let gone = signInsByID.values.filter { $0.createdAt < before }.map(\.id)
        for id in gone { signInsByID[id] = nil }
        return gone.count
    }

    public func purgeAudits(before: Date) -> Int {
        let count = auditLog.count
        auditLog.removeAll { $0.activityAt < before }
        return count - auditLog.count
    }

    public func isMigrated() -> Bool { true }
}
