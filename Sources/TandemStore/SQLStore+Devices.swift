import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: DeviceStore {
    static let deviceColumns = """
        id, user_id, name, app_version, device_key, approval_key, phone_sign_in_key, state, created_at, last_used_at, platform,
        approval_challenge, approval_challenge_expires_at, approval_credential_id, approval_credential_key, approval_sign_count,
        approval_backup_eligible, approval_registered_at
        """

    public func insertDevice(_ device: Device) async throws {
        try await db.raw("""
            INSERT INTO devices (id, user_id, name, app_version, device_key, approval_key, phone_sign_in_key, state, created_at, last_used_at,
                                 platform, approval_challenge, approval_challenge_expires_at, approval_credential_id, approval_credential_key,
                                 approval_sign_count, approval_backup_eligible, approval_registered_at)
            VALUES (\(bind: device.id), \(bind: device.userID), \(bind: device.name), \(bind: device.appVersion), \(bind: device.deviceKey),
                    \(bind: device.approvalKey), \(bind: device.phoneSignInKey), \(bind: device.state.rawValue),
                    \(bind: Self.millis(device.createdAt)), \(bind: device.lastUsedAt.map(Self.millis)), \(bind: device.platform.rawValue),
                    \(bind: device.approvalPasskeyChallenge?.challenge), \(bind: device.approvalPasskeyChallenge.map { Self.millis($0.expiresAt) }),
                    \(bind: device.approvalPasskey?.credentialID), \(bind: device.approvalPasskey?.publicKey),
                    \(bind: device.approvalPasskey?.signCount), \(bind: device.approvalPasskey.map { $0.backupEligible ? 1 : 0 }),
                    \(bind: device.approvalPasskey.map { Self.millis($0.registeredAt) }))
            """).run()
    }

    public func device(id: String) async throws -> Device? {
        try await db.raw("SELECT \(unsafeRaw: Self.deviceColumns) FROM devices WHERE id = \(bind: id)").first().map(Self.device)
    }

    public func devices(userID: String) async throws -> [Device] {
        try await db.raw("""
            SELECT \(unsafeRaw: Self.deviceColumns) FROM devices
            WHERE user_id = \(bind: userID) AND state <> 'removed' ORDER BY created_at, id
            """).all().map(Self.device)
    }

    public func updateDevice(_ device: Device) async throws {
        try await db.raw("""
            UPDATE devices SET name = \(bind: device.name), app_version = \(bind: device.appVersion),
                phone_sign_in_key = \(bind: device.phoneSignInKey), state = \(bind: device.state.rawValue),
                last_used_at = \(bind: device.lastUsedAt.map(Self.millis))
            WHERE id = \(bind: device.id)
            """).run()
    }

    static func device(_ row: any SQLRow) throws -> Device {
        Device(id: try row.decode(column: "id", as: String.self),
               userID: try row.decode(column: "user_id", as: String.self),
               name: try row.decode(column: "name", as: String.self),
               appVersion: try row.decode(column: "app_version", as: String.self),
               deviceKey: try row.decode(column: "device_key", as: String.self),
               approvalKey: try row.decode(column: "approval_key", as: String.self),
               phoneSignInKey: try row.decode(column: "phone_sign_in_key", as: String?.self),
               state: DeviceState(rawValue: try row.decode(column: "state", as: String.self)) ?? .removed,
               createdAt: date(try row.decode(column: "created_at", as: Int64.self)),
               lastUsedAt: date(try row.decode(column: "last_used_at", as: Int64?.self)),
               platform: DevicePlatform(rawValue: try row.decode(column: "platform", as: String.self)) ?? .app,
               approvalPasskey: try approvalPasskey(row),
               approvalPasskeyChallenge: try approvalPasskeyChallenge(row))
    }

    static func approvalPasskey(_ row: any SQLRow) throws -> ApprovalPasskey? {
        guard let credentialID = try row.decode(column: "approval_credential_id", as: String?.self),
              let publicKey = try row.decode(column: "approval_credential_key", as: String?.self) else { return nil }
        return ApprovalPasskey(credentialID: credentialID, publicKey: publicKey,
                               signCount: try row.decode(column: "approval_sign_count", as: Int64?.self) ?? 0,
                               backupEligible: (try row.decode(column: "approval_backup_eligible", as: Int?.self) ?? 0) != 0,
                               registeredAt: date(try row.decode(column: "approval_registered_at", as: Int64?.self) ?? 0))
    }

    static func approvalPasskeyChallenge(_ row: any SQLRow) throws -> ApprovalPasskeyChallenge? {
        guard let challenge = try row.decode(column: "approval_challenge", as: String?.self),
              let expires = try row.decode(column: "approval_challenge_expires_at", as: Int64?.self) else { return nil }
        return ApprovalPasskeyChallenge(challenge: challenge, expiresAt: date(expires))
    }
}
