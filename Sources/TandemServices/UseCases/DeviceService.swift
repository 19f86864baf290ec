import Foundation
import Logging
import TandemCore

/// What an authenticator does besides answering: authenticate itself, list pending requests,
/// turn phone sign-in on and off.
public struct DeviceService: Sendable {
    let env: ServiceEnvironment
    let challenges: ChallengeService
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.devices")) {
        self.env = env
        self.challenges = ChallengeService(env: env, logger: logger)
        self.logger = logger
    }

    /// Verifies a signed HTTP request (`X-Tandem-Device`, `X-Tandem-Time`, `X-Tandem-Signature`).
    public func authenticate(deviceID: String?, time: String?, signature: String?, method: String, path: String) async throws -> Device {
        guard let deviceID, let time, let signature else {
            throw TandemError(.unauthorized, "A signed device request needs X-Tandem-Device, X-Tandem-Time and X-Tandem-Signature.")
        }
        guard let seconds = Int64(time), abs(Double(seconds) - env.clock.now().timeIntervalSince1970) <= env.settings.requestTimeSkew else {
            throw TandemError(.unauthorized, "X-Tandem-Time is missing or too far from the server's clock.")
        }
        guard let bytes = SignedBytes.request(method: method, path: path, deviceID: deviceID, time: seconds),
              let device = try await env.storage.device(id: deviceID), device.state != .removed,
              DeviceSignature.isValid(signature: signature, bytes: bytes, publicKey: device.deviceKey)
        else { throw TandemError(.unauthorized, "Unknown device or bad signature.") }
        return device
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

    /// Turns on passwordless phone sign-in with a new key, after checking its proof of possession.
    public func enablePhoneSignIn(for device: Device, _ request: PhoneSignInRequest) async throws {
        guard device.state == .active else { throw TandemError(.conflict, "Confirm the authenticator before enabling phone sign-in.") }
        guard DeviceSignature.publicKey(request.publicKey) != nil else { throw TandemError(.badRequest, "publicKey is not a P-256 public key.") }
        guard request.publicKey != device.deviceKey, request.publicKey != device.approvalKey else {
            throw TandemError(.badRequest, "The phone sign-in key must be a new key.")
        }
        guard let bytes = SignedBytes.phoneSignIn(deviceID: device.id, publicKey: request.publicKey),
              DeviceSignature.isValid(signature: request.proof, bytes: bytes, publicKey: request.publicKey)
        else { throw TandemError(.unauthorized, "The proof is not a valid signature by that key.") }
        var updated = device
        updated.phoneSignInKey = request.publicKey
        try await env.storage.updateDevice(updated)
        logger.info("phone sign-in enabled", metadata: ["tandem.user": "\(device.userID)", "tandem.device": "\(device.id)"])
    }

    /// Turns phone sign-in off for the device.
    public func disablePhoneSignIn(for device: Device) async throws {
        var updated = device
        updated.phoneSignInKey = nil
        try await env.storage.updateDevice(updated)
        logger.info("phone sign-in disabled", metadata: ["tandem.user": "\(device.userID)", "tandem.device": "\(device.id)"])
    }
}

extension DeviceState {
    /// Not removed.
    public var isLive: Bool { self != .removed }
}
