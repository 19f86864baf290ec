import Foundation
import Hummingbird
import HummingbirdWebSocket
import Logging
import ServiceLifecycle
import TandemCore
import TandemPush
import TandemServices

/// The authenticator's API (`docs/push-protocol.md`): activation, pending, answers, key-change
/// nonces, phone sign-in, and the WebSocket push channel.
struct DeviceController: Sendable {
    let devices: DeviceService
    let challenges: ChallengeService
    let registration: RegistrationService
    let hub: PushHub
    let random: any RandomSource
    let applicationName: String
    /// The server's public URL: the WebAuthn relying party of web authenticators (version 3).
    let publicURL: @Sendable () -> String
    /// The web authenticator's approval passkey and phone sign-in.
    let webAuthenticator: WebAuthenticatorService
    /// How long a new push channel may take to authenticate before it is closed (finding 10).
    var authenticationTimeout: Duration = .seconds(10)

    func register(on router: Router<TandemRequestContext>) {
        let group = router.group("device/v1")
        group.post("activate") { request, context in
            let body = try await Self.decode(ActivationRequest.self, request)
            let response = try await self.registration.activate(body, context: Web.challengeContext(request, context, application: self.applicationName),
                                                                publicURL: self.publicURL())
            return JSONResponse.make(response, status: .created)
        }
        group.get("pending") { request, _ in
            let (device, _) = try await self.authenticate(request)
            return JSONResponse.make(PendingResponse(requests: try await self.devices.pending(for: device)))
        }
        group.get("notices") { request, _ in
            let (device, _) = try await self.authenticate(request)
            return JSONResponse.make(NoticesResponse(notices: try await self.devices.takeNotices(for: device)))
        }
        group.post("challenges/{id}/answer") { request, context in
            let id = try context.parameters.require("id")
            let body = try await Self.decode(AnswerRequest.self, request)
            return JSONResponse.make(try await self.challenges.answer(challengeID: id, body, publicURL: self.publicURL()))
        }
        group.post("key-change-nonce") { request, _ in
            let (device, _) = try await self.authenticate(request)
            return JSONResponse.make(try await self.devices.issueKeyChangeNonce(for: device))
        }
        group.post("phone-sign-in") { request, _ in
            let (device, body) = try await self.authenticate(request)
            if device.platform == .web {
                try await self.webAuthenticator.enablePhoneSignIn(for: device, try Self.decode(WebPhoneSignInRequest.self, body), publicURL: self.publicURL())
            } else {
                try await self.devices.enablePhoneSignIn(for: device, try Self.decode(PhoneSignInRequest.self, body))
            }
            return JSONResponse.make(["phoneSignIn": "enabled"])
        }
        registerWebAuthenticator(on: group)
        group.delete("phone-sign-in") { request, _ in
            let (device, _) = try await self.authenticate(request)
            try await self.devices.disablePhoneSignIn(for: device)
            return Response(status: .noContent)
        }
        // The channel's long-lived task holds only a reference to the shared `PushChannel`, not
        // a copy of this controller (several KB of services in every frame that captures it).
        let pushChannel = PushChannel(devices: devices, hub: hub, random: random, authenticationTimeout: authenticationTimeout)
        router.ws("/device/v1/connect") { _, _ in
            .upgrade([:])
        } onUpgrade: { [pushChannel] inbound, outbound, context in
            await pushChannel.run(inbound: inbound, outbound: outbound, logger: context.logger)
        }
    }

    /// Reads the body (at most 64 KiB) and verifies the request's signature over it; returns
    /// the device and the body bytes the signature covers.
    func authenticate(_ request: Request) async throws -> (Device, [UInt8]) {
        let body = Array(try await Self.collect(request).readableBytesView)
        let device = try await devices.authenticate(
            deviceID: request.headers[.init("X-Tandem-Device")!],
            time: request.headers[.init("X-Tandem-Time")!],
            nonce: request.headers[.init("X-Tandem-Nonce")!],
            signature: request.headers[.init("X-Tandem-Signature")!],
            method: request.method.rawValue, path: request.uri.path, body: body)
        return (device, body)
    }

    static func collect(_ request: Request) async throws -> ByteBuffer {
        try await request.body.collect(upTo: 64 * 1024)
    }

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        try decode(type, Array(try await collect(request).readableBytesView))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        do {
            return try WireCoding.decoder().decode(T.self, from: Data(bytes))
        } catch let DecodingError.keyNotFound(key, _) {
            throw TandemError(.badRequest, "Missing field \(key.stringValue).")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            throw TandemError(.badRequest, "Wrong type for \(context.codingPath.map(\.stringValue).joined(separator: ".")).")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw TandemError(.badRequest, field.isEmpty ? "The body is not valid JSON." : "Invalid value for \(field).")
        } catch {
            throw TandemError(.badRequest, "The body is not valid JSON.")
        }
    }
}
