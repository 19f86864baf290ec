import Foundation

/// What Web Push needs from storage (issue 13; migration 185): one subscription per device.
public protocol WebPushStore: Sendable {
    /// Stores the device's subscription, replacing the one it had.
    func saveWebPushSubscription(_ subscription: WebPushSubscription) async throws
    func webPushSubscription(deviceID: String) async throws -> WebPushSubscription?
    /// The subscriptions of those of `deviceIDs` that have one (one statement for a whole push).
    func webPushSubscriptions(deviceIDs: [String]) async throws -> [WebPushSubscription]
    /// Deletes the device's subscription; returns whether there was one.
    func deleteWebPushSubscription(deviceID: String) async throws -> Bool
    /// Deletes the device's subscription only while it still has `endpoint` (the push service
    /// said it is gone; a subscription saved since is kept). Returns whether it deleted.
    func deleteWebPushSubscription(deviceID: String, endpoint: String) async throws -> Bool
}
