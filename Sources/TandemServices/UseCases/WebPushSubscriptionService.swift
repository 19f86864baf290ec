import Foundation
import Logging
import TandemCore

/// Decides whether the host of a push endpoint may be sent to (the SSRF rule; the resolving is
/// I/O, so it is the server's). Throws a 400 `TandemError` when it may not.
public protocol WebPushEndpointCheck: Sendable {
    func check(_ endpoint: WebPushEndpoint) async throws
}

/// A device's Web Push subscription (issue 13, docs/decisions/0023-web-push.md): saved after
/// checking the endpoint (https, a public host) and the keys (a P-256 point, a 16-byte secret),
/// one per device, replaced by the next.
public struct WebPushSubscriptionService: Sendable {
    let env: ServiceEnvironment
    let endpoints: any WebPushEndpointCheck
    /// `http` endpoints are allowed (tests only: the check then allows loopback hosts only).
    let allowHTTP: Bool
    let logger: Logger

    public init(env: ServiceEnvironment, endpoints: any WebPushEndpointCheck, allowHTTP: Bool = false,
                logger: Logger = Logger(label: "tandem.webpush")) {
        self.env = env
        self.endpoints = endpoints
        self.allowHTTP = allowHTTP
        self.logger = logger
    }

    /// Checks and stores `request` as `device`'s subscription.
    public func subscribe(_ device: Device, _ request: WebPushSubscriptionRequest) async throws {
        guard let p256dh = Base64URL.decode(request.keys.p256dh) else {
            throw TandemError(.badRequest, "keys.p256dh is not a P-256 public key (65-byte uncompressed point, base64url).")
        }
        let key = try WebPushKeys.publicKey(p256dh)
        guard let auth = Base64URL.decode(request.keys.auth), WebPushKeys.isAuthSecret(auth) else {
            throw TandemError(.badRequest, "keys.auth must be 16 bytes, base64url.")
        }
        let endpoint = try WebPushEndpoint.parse(request.endpoint, allowHTTP: allowHTTP)
        try await endpoints.check(endpoint)
        try await env.storage.saveWebPushSubscription(WebPushSubscription(
            deviceID: device.id, endpoint: request.endpoint, p256dh: Base64URL.encode(key.x963Representation),
            auth: Base64URL.encode(auth), createdAt: env.clock.now()))
        logger.info("web push subscription saved", metadata: ["tandem.device": "\(device.id)", "tandem.push.origin": "\(endpoint.origin)"])
    }

    /// Removes `device`'s subscription (there may be none).
    public func unsubscribe(_ device: Device) async throws {
        if try await env.storage.deleteWebPushSubscription(deviceID: device.id) {
            logger.info("web push subscription removed", metadata: ["tandem.device": "\(device.id)"])
        }
    }
}
