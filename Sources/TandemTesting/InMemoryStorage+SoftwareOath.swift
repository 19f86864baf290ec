import Foundation
import TandemCore
import TandemServices

/// Third-party authenticator apps in the twin (kept in `InMemoryPortalTables.softwareOath`, so
/// transactions snapshot them with the portal tables).
extension InMemoryStorage {
    public func insertSoftwareOathMethod(_ method: SoftwareOathMethod) throws {
        guard portal.softwareOath[method.id] == nil else { throw TandemError(.conflict, "Duplicate method.") }
        portal.softwareOath[method.id] = method
    }
    public func pendingSoftwareOathMethod(id: String, userID: String, now: Date) -> SoftwareOathMethod? {
        guard let m = portal.softwareOath[id], m.userID == userID, m.state == .pending, let until = m.expiresAt, until > now else { return nil }
        return m
    }
    public func activateSoftwareOathMethod(id: String, userID: String, step: Int64, now: Date) -> Bool {
        guard var m = pendingSoftwareOathMethod(id: id, userID: userID, now: now) else { return false }
        m.state = .active
        m.expiresAt = nil
        m.lastUsedStep = step
        m.lastUsedAt = now
        portal.softwareOath[id] = m
        return true
    }
    public func softwareOathMethod(id: String) -> SoftwareOathMethod? {
        portal.softwareOath[id].flatMap { $0.state == .active ? $0 : nil }
    }
    public func softwareOathMethods(userID: String) -> [SoftwareOathMethod] {
        portal.softwareOath.values.filter { $0.userID == userID && $0.state == .active }
            .sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
    public func deleteSoftwareOathMethod(id: String, userID: String) -> Bool {
        guard portal.softwareOath[id]?.userID == userID else { return false }
        portal.softwareOath[id] = nil
        return true
    }
    public func useSoftwareOathStep(id: String, step: Int64, at: Date) -> Bool {
        guard var m = portal.softwareOath[id], m.state == .active, m.lastUsedStep.map({ $0 < step }) ?? true else { return false }
        m.lastUsedStep = step
        m.lastUsedAt = at
        portal.softwareOath[id] = m
        return true
    }
    public func purgeSoftwareOathPending(before now: Date) -> Int {
        let expired = portal.softwareOath.values.filter { $0.state == .pending && ($0.expiresAt ?? now) < now }.map(\.id)
        for id in expired { portal.softwareOath[id] = nil }
        return expired.count
    }
}
