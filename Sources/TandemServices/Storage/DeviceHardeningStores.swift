import Foundation

/// What keeps device requests single use and tells a user's devices about changes to the others
/// (`docs/decisions/0011-device-key-changes.md`). Each "use" is one atomic step that returns
/// whether this call won, so two instances racing on one nonce let exactly one through.
public protocol DeviceHardeningStore: Sendable {
    /// Records that `deviceID` used the request nonce `nonce`, remembered until `expiresAt`;
    /// returns false when it was used already. Forgets nonces that expired before `now`.
    func useRequestNonce(deviceID: String, nonce: String, expiresAt: Date, now: Date) async throws -> Bool

    /// Stores a new key-change nonce (by its digest) for the device, replacing any earlier one of
    /// the device; forgets expired ones.
    func insertKeyChangeNonce(digest: String, deviceID: String, createdAt: Date, expiresAt: Date) async throws
    /// Removes the device's key-change nonce with this digest if it has not expired at `now`;
    /// returns whether it did (a nonce works once).
    func consumeKeyChangeNonce(digest: String, deviceID: String, now: Date) async throws -> Bool

    /// Queues a notice for one device.
    func insertDeviceNotice(_ notice: DeviceNotice, recipientID: String) async throws
    /// The device's notices not yet delivered, oldest first.
    func undeliveredNotices(deviceID: String) async throws -> [DeviceNotice]
    /// Marks notices of the device delivered.
    func markNoticesDelivered(deviceID: String, ids: [String], at: Date) async throws
}
