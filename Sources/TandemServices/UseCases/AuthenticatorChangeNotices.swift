import Foundation
import Logging
import TandemCore

/// After a change to one of a user's authenticators (added, phone sign-in on or off): writes the
/// audit entry and tells the user's other devices, live over the push channel and through the
/// store for those not connected (`docs/decisions/0011-device-key-changes.md`).
public struct AuthenticatorChangeNotices: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.devices")) {
        self.env = env
        self.logger = logger
    }

    /// Audits `kind` for `device` (the user acted, with the device's keys) and queues a notice for
    /// each of the user's other live devices.
    public func announce(_ kind: DeviceNotice.Kind, device: Device) async throws {
        let queued = try await env.transaction { env in
            try await AuthenticatorChangeNotices(env: env, logger: logger).announceStored(kind, device: device)
        }
        await deliver(queued)
    }

    /// A notice queued in the store for the user's other devices, to be pushed after the commit.
    public struct Queued: Sendable {
        let notice: DeviceNotice
        let userID: String
        let recipients: [String]
    }

    /// The stored half of `announce` (the audit entry and the queued notices), for a caller's
    /// transaction (`env.storage` is the transaction); the caller calls `deliver` after committing.
    func announceStored(_ kind: DeviceNotice.Kind, device: Device) async throws -> Queued {
        let user = try await env.storage.user(id: device.userID)
        let (activity, operation, property, old, new) = Self.auditShape(kind, device: device)
        try await Auditor(env: env).record("UserManagement", activity, operation, actor: user,
                                           targetType: "Device", targetID: device.id, targetName: device.name,
                                           property: property, old: old, new: new)
        let notice = DeviceNotice(id: env.random.identifier(), kind: kind, deviceId: device.id, deviceName: device.name, at: env.clock.now())
        let others = try await env.storage.devices(userID: device.userID).filter { $0.id != device.id && $0.state != .removed }
        for other in others { try await env.storage.insertDeviceNotice(notice, recipientID: other.id) }
        return Queued(notice: notice, userID: device.userID, recipients: others.map(\.id))
    }

    /// Tells the connected recipients of a committed notice (the others read it from the store).
    func deliver(_ queued: Queued) async {
        await env.push.notify(queued.notice, to: queued.recipients)
        logger.info("authenticator change announced", metadata: [
            "tandem.user": "\(queued.userID)", "tandem.device": "\(queued.notice.deviceId)", "tandem.notice": "\(queued.notice.kind.rawValue)",
            "tandem.recipients": "\(queued.recipients.count)",
        ])
    }

    /// Entra's wording where it has one ("User registered security info").
    static func auditShape(_ kind: DeviceNotice.Kind, device: Device)
        -> (activity: String, operation: String, property: String, old: String?, new: String?) {
        switch kind {
        case .authenticatorAdded:
            ("User registered security info", "Add", "microsoftAuthenticatorMethods", nil, "device=\(device.id) name=\(device.name)")
        case .phoneSignInEnabled:
            ("User enabled phone sign-in", "Update", "phoneSignInKey", nil, "enabled")
        case .phoneSignInDisabled:
            ("User disabled phone sign-in", "Update", "phoneSignInKey", "enabled", nil)
        }
    }
}
