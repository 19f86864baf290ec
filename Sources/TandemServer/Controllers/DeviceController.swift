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
        router.ws("/device/v1/connect") { _, _ in
            .upgrade([:])
        } onUpgrade: { inbound, outbound, context in
            try await self.channel(inbound: inbound, outbound: outbound, logger: context.logger)
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

    /// The push channel: hello → auth → ready, then the catch-up and every new request until the
    /// device goes away. Outbound messages go through one stream so only one task writes.
    func channel(inbound: WebSocketInboundStream, outbound: WebSocketOutboundWriter, logger: Logger) async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: ChannelMessage.self)
        let nonce = random.identifier(byteCount: 32)
        continuation.yield(ChannelMessage(type: .hello, nonce: nonce))
        let authenticated = SetOnceFlag()
        let channelDevice = ChannelDevice()
        let deadline = Task { [authenticationTimeout] in
            try await Task.sleep(for: authenticationTimeout)
            if !authenticated.isSet { continuation.yield(ChannelMessage(type: .error, error: "authentication timed out")) }
        }
        defer { deadline.cancel() }
        // Graceful shutdown ends the channel with "going away": the device connects again at once.
        try await withGracefulShutdownHandler { try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                var refused = false
                for await message in stream {
                    try await outbound.write(.text(Web.json(message)))
                    if message.type == .error { refused = true; break }
                    // A notice written to the channel counts as handed out (not again in GET notices).
                    if message.type == .notice, let notice = message.notice, let deviceID = channelDevice.id {
                        try? await devices.markNoticeDelivered(notice, deviceID: deviceID)
                    }
                }
                // Ended without an error: the channel's device left, or the server is stopping
                // (`PushHub.finishAll`) and the device should connect again.
                try await outbound.close(refused ? .normalClosure : .goingAway, reason: refused ? nil : "server is stopping; connect again")
            }
            var registered: (deviceID: String, token: UUID)?
            do {
                for try await message in inbound.messages(maxSize: 64 * 1024) {
                    guard registered == nil else { continue }
                    // The connect-time work (the signature check, the catch-up's reads) runs in
                    // tasks of its own: a task keeps the stack slabs it grew until it ends, and
                    // these end now, not when the phone disconnects (heaptrack, docs/performance.md).
                    let devices = self.devices
                    guard case .text(let text) = message,
                          let auth = try? WireCoding.decoder().decode(ChannelMessage.self, from: Data(text.utf8)),
                          auth.type == .auth,
                          let device = await Task(operation: {
                              try? await devices.authenticateChannel(deviceID: auth.deviceId, nonce: nonce, signature: auth.signature)
                          }).value
                    else {
                        continuation.yield(ChannelMessage(type: .error, error: "authentication failed"))
                        break
                    }
                    channelDevice.id = device.id
                    let token = await hub.register(deviceID: device.id, connection: StreamConnection(continuation))
                    registered = (device.id, token)
                    authenticated.set()
                    logger.info("device connected", metadata: ["tandem.device": "\(device.id)"])
                    continuation.yield(ChannelMessage(type: .ready))
                    try await Task {
                        for offer in try await devices.pending(for: device) {
                            continuation.yield(ChannelMessage(type: .request, request: offer))
                        }
                        for notice in try await devices.takeNotices(for: device) {
                            continuation.yield(ChannelMessage(type: .notice, notice: notice))
                        }
                    }.value
                }
            } catch {
                logger.debug("device channel closed", metadata: ["tandem.error": "\(type(of: error))"])
            }
            if let registered {
                await hub.unregister(deviceID: registered.deviceID, token: registered.token)
                logger.info("device disconnected", metadata: ["tandem.device": "\(registered.deviceID)"])
            }
            continuation.finish()
            try? await group.waitForAll()
        } } onGracefulShutdown: {
            continuation.finish()
        }
    }
}

/// The device a channel authenticated as, shared by its reading and writing tasks.
private final class ChannelDevice: @unchecked Sendable {
    private let lock = NSLock()
    private var value: String?
    var id: String? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue } }
    }
}
