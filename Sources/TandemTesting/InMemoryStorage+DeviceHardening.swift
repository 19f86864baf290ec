import Foundation
import TandemCore
import TandemServices

/// The device-hardening tables of the in-memory twin (one stored property of `InMemoryStorage`).
struct InMemoryDeviceHardeningTables: Sendable {
    var requestNonces: [String: Date] = [:]
    var keyChangeNonces: [String: (deviceID: String, expiresAt: Date)] = [:]
    var notices: [(recipient: String, notice: DeviceNotice, delivered: Bool)] = []
}

extension InMemoryStorage {
    public func useRequestNonce(deviceID: String, nonce: String, expiresAt: Date, now: Date) -> Bool {
        deviceHardening.requestNonces = deviceHardening.requestNonces.filter { $0.value >= now }
        let key = deviceID + "\n" + nonce
        guard deviceHardening.requestNonces[key] == nil else { return false }
        deviceHardening.requestNonces[key] = expiresAt
        return true
    }

    public func insertKeyChangeNonce(digest: String, deviceID: String, createdAt: Date, expiresAt: Date) {
        deviceHardening.keyChangeNonces = deviceHardening.keyChangeNonces.filter { $0.value.deviceID != deviceID && $0.value.expiresAt >= createdAt }
        deviceHardening.keyChangeNonces[digest] = (deviceID, expiresAt)
    }

    public func consumeKeyChangeNonce(digest: String, deviceID: String, now: Date) -> Bool {
        guard let stored = deviceHardening.keyChangeNonces[digest], stored.deviceID == deviceID, stored.expiresAt > now else { return false }
        deviceHardening.keyChangeNonces[digest] = nil
        return true
    }

    public func insertDeviceNotice(_ notice: DeviceNotice, recipientID: String) throws {
        guard !deviceHardening.notices.contains(where: { $0.recipient == recipientID && $0.notice.id == notice.id }) else {
            throw TandemError(.conflict, "Duplicate notice.")
        }
        deviceHardening.notices.append((recipientID, notice, false))
    }

    public func undeliveredNotices(deviceID: String) -> [DeviceNotice] {
        deviceHardening.notices.filter { $0.recipient == deviceID && !$0.delivered }.map(\.notice)
            .sorted { ($0.at, $0.id) < ($1.at, $1.id) }
    }

    public func markNoticesDelivered(deviceID: String, ids: [String], at: Date) {
        for index in deviceHardening.notices.indices
        where deviceHardening.notices[index].recipient == deviceID && ids.contains(deviceHardening.notices[index].notice.id) {
            deviceHardening.notices[index].delivered = true
        }
    }
}
