import Foundation
import Logging
import TandemCore

/// What an authenticator does besides answering: authenticate itself, list pending requests and
/// notices, turn phone sign-in on (proven by the approval key over a server nonce) and off.
public struct DeviceService: Sendable {
    let env: ServiceEnvironment
    let challenges: ChallengeService
    let logger: Logger

    /// How long a key-change nonce can be used (server clock).
    public static let keyChangeNonceLifetime: TimeInterval = 120

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.devices")) {
        self.env = env
        self.challenges = ChallengeService(env: env, logger: logger)
        self.logger = logger
    }

    /// Verifies a signed HTTP request, version 2 (`X-Tandem-Device`, `X-Tandem-Time`,
    /// `X-Tandem-Nonce`, `X-Tandem-Signature` over `SignedBytes.requestV2`, which covers method,
    /// path, time, nonce and the body's digest), then spends its nonce: a request is accepted
    /// once, on any instance, while its time is within the window.
    public func authenticate(deviceID: String?, time: String?, nonce: String?, signature: String?,
                             method: String, path: String, body: [UInt8]) async throws -> Device {
        guard let deviceID, let time, let signature else {
            throw TandemError(.unauthorized, "A signed device request needs X-Tandem-Device, X-Tandem-Time, X-Tandem-Nonce and X-Tandem-Signature.")
        }
        guard let nonce else {
            throw TandemError(.unauthorized, "Signed device requests need version 2 of the protocol (X-Tandem-Nonce and a body digest); update the authenticator.")
        }
        let now = env.clock.now()
        guard let seconds = Int64(time) else { throw TandemError(.unauthorized, "X-Tandem-Time is not a number of seconds.") }
        let skew = Double(seconds) - now.timeIntervalSince1970
        guard abs(skew) <= env.settings.requestTimeSkew else {
            // The phone's clock is off (decision 0028): say by how much and give the server's
            // time, so the app can sign again with the corrected time. The request still counts
            // for nothing: a request signed at another time is never accepted.
            throw Self.clockSkew(skew, now: now)
        }
        guard let bytes = SignedBytes.requestV2(method: method, path: path, deviceID: deviceID, time: seconds, nonce: nonce, body: body),
              let device = try await env.storage.device(id: deviceID), device.state != .removed,
              DeviceSignature.isValid(signature: signature, bytes: bytes, publicKey: device.deviceKey)
        else { throw TandemError(.unauthorized, "Unknown device or bad signature.") }
        let windowCloses = Date(timeIntervalSince1970: Double(seconds) + env.settings.requestTimeSkew)
        guard try await env.storage.useRequestNonce(deviceID: device.id, nonce: nonce, expiresAt: windowCloses, now: now) else {
            logger.notice("replayed device request refused", metadata: ["tandem.device": "\(device.id)"])
            throw TandemError(.unauthorized, "This signed request was already used.")
        }
        return device
    }

    /// The refusal of a signed request whose time is `skew` seconds from the server's clock:
    /// 401 `clockSkew` with the server's time.
    static func clockSkew(_ skew: Double, now: Date) -> TandemError {
        return TandemError(.unauthorized,
                           "This device's clock is \(Self.amount(abs(skew))) \(skew > 0 ? "ahead of" : "behind") the server's. Set the date and time to automatic, then try again.",
                           wireCode: "clockSkew", serverTime: Int64(now.timeIntervalSince1970.rounded(.down)))
    }

    /// "7 minutes", "3 hours", "2 days": how far off a clock is, in words.
    static func amount(_ seconds: Double) -> String {
        func plural(_ value: Int, _ unit: String) -> String { "\(value) \(unit)\(value == 1 ? "" : "s")" }
        if seconds >= 2 * 86_400 { return plural(Int((seconds / 86_400).rounded()), "day") }
        if seconds >= 2 * 3600 { return plural(Int((seconds / 3600).rounded()), "hour") }
        return plural(max(1, Int((seconds / 60).rounded())), "minute")
    }

    /// Verifies the push channel's `auth` message over the server's `hello` nonce.
    public func authenticateChannel(deviceID: String?, nonce: String, signature: String?) async throws -> Device {
        guard let deviceID, let signature, let bytes = SignedBytes.connect(deviceID: deviceID, nonce: nonce),
              let device = try await env.storage.device(id: deviceID), device.state != .removed,
              DeviceSignature.isValid(signature: signature, bytes: bytes, publicKey: device.deviceKey)
        else { throw TandemError(.unauthorized, "Unknown device or bad signature.") }
        return device
    }

    /// Whether a device is still allowed on its channel (not removed).
    public func isLive(deviceID: String) async -> Bool {
        (try? await env.storage.device(id: deviceID))?.state.isLive ?? false
    }

    /// Every request the device may answer now.
    public func pending(for device: Device) async throws -> [ChallengeOffer] {
        try await challenges.pendingOffers(for: device)
    }

    /// The notices about the user's other authenticators this device has not been given yet;
    /// they count as delivered from now on.
    public func takeNotices(for device: Device) async throws -> [DeviceNotice] {
        let notices = try await env.storage.undeliveredNotices(deviceID: device.id)
        if !notices.isEmpty {
            try await env.storage.markNoticesDelivered(deviceID: device.id, ids: notices.map(\.id), at: env.clock.now())
        }
        return notices
    }

    /// Marks one notice handed out to the device (it was written to its push channel).
    public func markNoticeDelivered(_ notice: DeviceNotice, deviceID: String) async throws {
        try await env.storage.markNoticesDelivered(deviceID: deviceID, ids: [notice.id], at: env.clock.now())
    }

    /// Issues the single-use nonce a key change signs (`POST /device/v1/key-change-nonce`).
    /// A new nonce replaces the device's previous one.
    public func issueKeyChangeNonce(for device: Device) async throws -> KeyChangeNonceResponse {
        guard device.state == .active else { throw TandemError(.conflict, "Confirm the authenticator before changing its keys.") }
        let nonce = env.random.identifier(byteCount: 32)
        let now = env.clock.now()
        let expiresAt = now.addingTimeInterval(Self.keyChangeNonceLifetime)
        try await env.storage.insertKeyChangeNonce(digest: SecretDigest.of(nonce), deviceID: device.id, createdAt: now, expiresAt: expiresAt)
        return KeyChangeNonceResponse(nonce: nonce, expiresAt: expiresAt)
    }

    /// Turns on passwordless phone sign-in with a new key. The request must carry a fresh
    /// key-change nonce of this device and two signatures over `SignedBytes.keyChange`: one by
    /// the device's PIN-protected approval key (the person unlocked the app), one by the new key
    /// (possession). The change is audited and the user's other devices are told.
    public func enablePhoneSignIn(for device: Device, _ request: PhoneSignInRequest) async throws {
        guard device.state == .active else { throw TandemError(.conflict, "Confirm the authenticator before enabling phone sign-in.") }
        guard DeviceSignature.publicKey(request.publicKey) != nil else { throw TandemError(.badRequest, "publicKey is not a P-256 public key.") }
        guard request.publicKey != device.deviceKey, request.publicKey != device.approvalKey, request.publicKey != device.phoneSignInKey else {
            throw TandemError(.badRequest, "The phone sign-in key must be a new key.")
        }
        guard let bytes = SignedBytes.keyChange(deviceID: device.id, nonce: request.nonce, change: .phoneSignIn, publicKey: request.publicKey) else {
            throw TandemError(.badRequest, "nonce is not a key-change nonce.")
        }
        guard DeviceSignature.isValid(signature: request.approvalSignature, bytes: bytes, publicKey: device.approvalKey) else {
            logger.notice("key change refused: no approval-key signature", metadata: ["tandem.user": "\(device.userID)", "tandem.device": "\(device.id)"])
            throw TandemError(.unauthorized, "approvalSignature is not a valid signature by this device's approval key.")
        }
        guard DeviceSignature.isValid(signature: request.proof, bytes: bytes, publicKey: request.publicKey) else {
            throw TandemError(.unauthorized, "The proof is not a valid signature by that key.")
        }
        var changed = device
        changed.phoneSignInKey = request.publicKey
        let (updated, now, logger) = (changed, env.clock.now(), logger)
        // The nonce, the new key and its audit entry commit together (decision 0018); the live
        // notice to the other devices follows the commit.
        let queued = try await env.transaction { env in
            guard try await env.storage.consumeKeyChangeNonce(digest: SecretDigest.of(request.nonce), deviceID: device.id, now: now) else {
                logger.notice("key change refused: nonce unknown, used or expired", metadata: ["tandem.user": "\(device.userID)", "tandem.device": "\(device.id)"])
                throw TandemError(.unauthorized, "The key-change nonce is unknown, was already used, or has expired. Fetch a new one.")
            }
            try await env.storage.updateDevice(updated)
            return try await AuthenticatorChangeNotices(env: env, logger: logger).announceStored(.phoneSignInEnabled, device: updated)
        }
        logger.info("phone sign-in enabled", metadata: ["tandem.user": "\(device.userID)", "tandem.device": "\(device.id)"])
        await AuthenticatorChangeNotices(env: env, logger: logger).deliver(queued)
    }

    /// Turns phone sign-in off for the device. No PIN: it only removes power (decision 0002);
    /// still audited and announced.
    public func disablePhoneSignIn(for device: Device) async throws {
        var changed = device
        changed.phoneSignInKey = nil
        let (updated, logger) = (changed, logger)
        let queued = try await env.transaction { env in  // the change and its audit entry together (decision 0018)
            try await env.storage.updateDevice(updated)
            guard device.phoneSignInKey != nil else { return nil as AuthenticatorChangeNotices.Queued? }
            return try await AuthenticatorChangeNotices(env: env, logger: logger).announceStored(.phoneSignInDisabled, device: updated)
        }
        logger.info("phone sign-in disabled", metadata: ["tandem.user": "\(device.userID)", "tandem.device": "\(device.id)"])
        if let queued { await AuthenticatorChangeNotices(env: env, logger: logger).deliver(queued) }
    }
}

extension DeviceState {
    /// Not removed.
    public var isLive: Bool { self != .removed }
}
