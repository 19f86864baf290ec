import Foundation

/// A device's Web Push subscription (RFC 8030; issue 13; docs/decisions/0023-web-push.md): where
/// the push service takes messages for it and the keys its messages are encrypted to (RFC 8291).
/// One per device. The endpoint URL is a capability (anyone holding it can push to the device):
/// it is never logged, only its origin.
public struct WebPushSubscription: Sendable, Equatable {
    public var deviceID: String
    /// The push service's https URL for this subscription.
    public var endpoint: String
    /// The user agent's P-256 public key, base64url of the 65-byte point.
    public var p256dh: String
    /// The 16-byte auth secret, base64url.
    public var auth: String
    public var createdAt: Date

    public init(deviceID: String, endpoint: String, p256dh: String, auth: String, createdAt: Date) {
        self.deviceID = deviceID
        self.endpoint = endpoint
        self.p256dh = p256dh
        self.auth = auth
        self.createdAt = createdAt
    }
}
