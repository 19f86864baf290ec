import Foundation

/// `GET /device/v1/web-push`: the server's VAPID public key, the `applicationServerKey` a browser
/// subscribes with (base64url of the 65-byte X9.63 point).
public struct WebPushKeyResponse: Codable, Sendable, Equatable {
    public var vapidPublicKey: String
    public init(vapidPublicKey: String) { self.vapidPublicKey = vapidPublicKey }
}

/// `PUT /device/v1/push-subscription`: `PushSubscription.toJSON()` (other fields are ignored).
public struct WebPushSubscriptionRequest: Codable, Sendable, Equatable {
    public struct Keys: Codable, Sendable, Equatable {
        /// The user agent's P-256 public key, base64url.
        public var p256dh: String
        /// The 16-byte auth secret, base64url.
        public var auth: String
        public init(p256dh: String, auth: String) {
            self.p256dh = p256dh
            self.auth = auth
        }
    }
    public var endpoint: String
    public var keys: Keys
    public init(endpoint: String, keys: Keys) {
        self.endpoint = endpoint
        self.keys = keys
    }
}

/// The plaintext of every Web Push message Tandem sends, before RFC 8291 encryption: the request
/// id only (no number, no user name, no place). The app fetches the request itself over its own
/// signed channel (`GET /device/v1/pending`).
public struct WebPushMessage: Codable, Sendable, Equatable {
    /// `request`; apps ignore a message whose type they do not know.
    public var type: String
    public var challengeId: String
    public init(challengeID: String) {
        type = "request"
        challengeId = challengeID
    }

    /// The exact bytes sent: `{"type":"request","challengeId":"<id>"}`.
    public var bytes: [UInt8] {
        Array("{\"type\":\"\(type)\",\"challengeId\":\"\(challengeId)\"}".utf8)
    }
}
