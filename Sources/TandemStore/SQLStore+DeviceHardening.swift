import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: DeviceHardeningStore {
    public func useRequestNonce(deviceID: String, nonce: String, expiresAt: Date, now: Date) async throws -> Bool {
        try await db.raw("DELETE FROM device_request_nonces WHERE expires_at < \(bind: Self.millis(now))").run()
        return try await db.raw("""
            INSERT INTO device_request_nonces (device_id, nonce, expires_at)
            VALUES (\(bind: deviceID), \(bind: nonce), \(bind: Self.millis(expiresAt)))
            ON CONFLICT (device_id, nonce) DO NOTHING RETURNING device_id
            """).first() != nil
    }

    public func insertKeyChangeNonce(digest: String, deviceID: String, createdAt: Date, expiresAt: Date) async throws {
        try await db.raw("""
            DELETE FROM device_key_change_nonces WHERE device_id = \(bind: deviceID) OR expires_at < \(bind: Self.millis(createdAt))
            """).run()
        try await db.raw("""
            INSERT INTO device_key_change_nonces (nonce_digest, device_id, created_at, expires_at)
            VALUES (\(bind: digest), \(bind: deviceID), \(bind: Self.millis(createdAt)), \(bind: Self.millis(expiresAt)))
            """).run()
    }

    public func consumeKeyChangeNonce(digest: String, deviceID: String, now: Date) async throws -> Bool {
        try await db.raw("""
            DELETE FROM device_key_change_nonces
            WHERE nonce_digest = \(bind: digest) AND device_id = \(bind: deviceID) AND expires_at > \(bind: Self.millis(now))
            RETURNING nonce_digest
            """).first() != nil
    }

    public func insertDeviceNotice(_ notice: DeviceNotice, recipientID: String) async throws {
        try await db.raw("""
            INSERT INTO device_notices (id, recipient_id, kind, subject_device_id, subject_device_name, created_at, delivered_at)
            VALUES (\(bind: notice.id), \(bind: recipientID), \(bind: notice.kind.rawValue), \(bind: notice.deviceId),
                    \(bind: notice.deviceName), \(bind: Self.millis(notice.at)), NULL)
            """).run()
    }

    public func undeliveredNotices(deviceID: String) async throws -> [DeviceNotice] {
        try await db.raw("""
            SELECT id, kind, subject_device_id, subject_device_name, created_at FROM device_notices
            WHERE recipient_id = \(bind: deviceID) AND delivered_at IS NULL ORDER BY created_at, id
            """).all().compactMap { row in
            guard let kind = DeviceNotice.Kind(rawValue: try row.decode(column: "kind", as: String.self)) else { return nil }
            return DeviceNotice(id: try row.decode(column: "id", as: String.self), kind: kind,
                                deviceId: try row.decode(column: "subject_device_id", as: String.self),
                                deviceName: try row.decode(column: "subject_device_name", as: String.self),
                                at: Self.date(try row.decode(column: "created_at", as: Int64.self)))
        }
    }

    public func markNoticesDelivered(deviceID: String, ids: [String], at: Date) async throws {
        for id in ids {
            try await db.raw("""
                UPDATE device_notices SET delivered_at = \(bind: Self.millis(at))
                WHERE recipient_id = \(bind: deviceID) AND id = \(bind: id) AND delivered_at IS NULL
                """).run()
        }
    }
}
