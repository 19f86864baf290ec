import Foundation
import TandemCore
import TandemServices

/// The portal tables of the in-memory twin (one stored property of `InMemoryStorage`).
struct InMemoryPortalTables: Sendable {
    var totp: [String: (secret: String, lastStep: Int64?)] = [:]
    var lastMethods: [String: String] = [:]
    var passes: [String: TemporaryAccessPass] = [:]
    /// Third-party authenticator apps (InMemoryStorage+SoftwareOath.swift).
    var softwareOath: [String: SoftwareOathMethod] = [:]
    /// The registration campaign's snoozes (InMemoryStorage+RegistrationCampaign.swift).
    var campaignSnoozes: [String: RegistrationCampaign.Snoozes] = [:]
}

extension InMemoryStorage {
    public func setTOTPSecret(deviceID: String, secret: String) {
        guard devicesByID[deviceID] != nil else { return }
        portal.totp[deviceID] = (secret, nil)
    }
    public func deleteTOTPSecret(deviceID: String) { portal.totp[deviceID] = nil }
    public func totpCredentials(userID: String) -> [TOTPCredential] {
        devices(userID: userID).filter { $0.state == .active }.compactMap { device in
            portal.totp[device.id].map { TOTPCredential(deviceID: device.id, secret: $0.secret, lastUsedStep: $0.lastStep) }
        } + softwareOathMethods(userID: userID).map {
            TOTPCredential(deviceID: $0.id, secret: $0.secret, lastUsedStep: $0.lastUsedStep, kind: .softwareOath)
        }
    }
    public func allTOTPSecrets() -> [(deviceID: String, secret: String)] {
        portal.totp.sorted { $0.key < $1.key }.map { ($0.key, $0.value.secret) }
    }
    public func replaceTOTPSecret(deviceID: String, old: String, new: String) -> Bool {
        guard let stored = portal.totp[deviceID], stored.secret == old else { return false }
        portal.totp[deviceID] = (new, stored.lastStep)
        return true
    }
    public func useTOTPStep(deviceID: String, step: Int64) -> Bool {
        guard devicesByID[deviceID]?.state == .active, let stored = portal.totp[deviceID],
              stored.lastStep.map({ $0 < step }) ?? true else { return false }
        portal.totp[deviceID] = (stored.secret, step)
        return true
    }

    public func lastSignInMethod(userID: String) -> String? { portal.lastMethods[userID] }
    public func setLastSignInMethod(userID: String, method: String) {
        guard usersByID[userID] != nil else { return }
        portal.lastMethods[userID] = method
    }

    public func insertTemporaryAccessPass(_ pass: TemporaryAccessPass) throws {
        guard portal.passes[pass.id] == nil else { throw TandemError(.conflict, "Duplicate pass.") }
        portal.passes[pass.id] = pass
    }
    public func temporaryAccessPass(id: String) -> TemporaryAccessPass? { portal.passes[id] }
    public func temporaryAccessPasses(userID: String) -> [TemporaryAccessPass] {
        portal.passes.values.filter { $0.userID == userID }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
    public func deleteTemporaryAccessPass(id: String) -> Bool { portal.passes.removeValue(forKey: id) != nil }
    public func useTemporaryAccessPass(id: String, at: Date) -> Bool {
        guard var pass = portal.passes[id], pass.usedAt == nil else { return false }
        pass.usedAt = at
        portal.passes[id] = pass
        return true
    }
}
