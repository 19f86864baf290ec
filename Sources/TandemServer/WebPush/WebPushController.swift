import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The Web Push endpoints of the device API (docs/push-protocol.md, "Web Push"):
/// `GET /device/v1/web-push` (the VAPID public key), signed `PUT` and `DELETE
/// /device/v1/push-subscription` (one subscription per device).
struct WebPushController: Sendable {
    let devices: DeviceService
    let subscriptions: WebPushSubscriptionService
    let keys: VAPIDKeys

    func register(on router: Router<TandemRequestContext>) {
        let group = router.group("device/v1")
        group.get("web-push") { _, _ in
            JSONResponse.make(WebPushKeyResponse(vapidPublicKey: try await self.keys.publicKey()))
        }
        group.put("push-subscription") { request, _ in
            let (device, body) = try await self.authenticate(request)
            try await self.subscriptions.subscribe(device, try DeviceController.decode(WebPushSubscriptionRequest.self, body))
            return Response(status: .noContent)
        }
        group.delete("push-subscription") { request, _ in
            let (device, _) = try await self.authenticate(request)
            try await self.subscriptions.unsubscribe(device)
            return Response(status: .noContent)
        }
    }

    /// Verifies the signed request over the body it read (at most 64 KiB), as `DeviceController` does.
    func authenticate(_ request: Request) async throws -> (Device, [UInt8]) {
        let body = Array(try await DeviceController.collect(request).readableBytesView)
        let device = try await devices.authenticate(
            deviceID: request.headers[.init("X-Tandem-Device")!], time: request.headers[.init("X-Tandem-Time")!],
            nonce: request.headers[.init("X-Tandem-Nonce")!], signature: request.headers[.init("X-Tandem-Signature")!],
            method: request.method.rawValue, path: request.uri.path, body: body)
        return (device, body)
    }
}
