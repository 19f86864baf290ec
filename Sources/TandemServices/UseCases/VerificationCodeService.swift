import Foundation
import Logging
import TandemCore

/// Verification codes (TOTP, RFC 6238) from the authenticator: the secret each device gets at
/// activation, and the check of a typed code at sign-in (±1 step, each step once, failures counted
/// with the push failures).
public struct VerificationCodeService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    /// Steps either side of the server's accepted (±30 s).
    public static let window = 1

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.codes")) {
        self.env = env
        self.logger = logger
    }

    /// Whether codes are on for the user: the policy's `isSoftwareOathEnabled` for a user it
    /// targets, and the legacy "verification code from mobile app" setting.
    public func enabled(for user: User) async throws -> Bool {
        let policy = PolicyService(env: env)
        guard try await policy.legacySettings().verificationCodeFromMobileApp else { return false }
        return try await policy.verdict(for: user).softwareOathAllowed
    }

    /// Whether the user can sign in with a code now: codes on, an active device with a secret.
    public func available(for user: User) async throws -> Bool {
        guard try await enabled(for: user) else { return false }
        return try await !env.storage.totpCredentials(userID: user.id).isEmpty
    }

    /// Gives a device a new secret (20 bytes from the one random source) and returns it in base32
    /// for the activation answer. Never logged.
    public func issueSecret(deviceID: String) async throws -> String {
        let secret = Base32.encode(TOTP.newSecret(random: env.random))
        try await env.storage.setTOTPSecret(deviceID: deviceID, secret: try sealed(secret, deviceID: deviceID))
        logger.info("verification-code secret issued", metadata: ["tandem.device": "\(deviceID)"])
        return secret
    }

    /// Why a code was refused.
    public enum Refusal: Sendable, Equatable {
        case wrong
        case reused
    }

    /// Checks a typed code against every active device of the user with a secret and every
    /// active third-party app (`SoftwareOathMethod`, decision 0031). On success the
    /// matched step is recorded with a compare-and-set (so a code works once even when two
    /// requests race), the device's last use is updated and the failure counter reset; on failure
    /// the push-protection counter counts it. Throws `forbidden` when codes are off, `locked` when
    /// the user's second factor is locked or blocked, `unauthorized` for a wrong or reused code.
    @discardableResult
    public func verify(_ typed: String, for user: User) async throws -> String {
        guard try await enabled(for: user) else {
            throw TandemError(.forbidden, "Verification codes are turned off for your account.")
        }
        let now = env.clock.now()
        if try await PushProtectionService(env: env).security(userID: user.id).isPushBarred(at: now) {
            throw TandemError(.locked, "Sign-in with your Authenticator app is blocked for your account. Contact your administrator.")
        }
        let code = typed.filter { !$0.isWhitespace }
        var reused = false
        for credential in try await env.storage.totpCredentials(userID: user.id) {
            guard let secret = opened(credential), let totp = try? TOTP(secret: secret) else { continue }
            let last = credential.lastUsedStep.flatMap { UInt64(exactly: $0) }
            switch totp.verify(code, at: now, window: Self.window, lastUsedStep: last) {
            case .accepted(let step, _):
                guard let stored = Int64(exactly: step), try await useStep(stored, of: credential, at: now) else {
                    reused = true
                    continue
                }
                if credential.kind == .device, var device = try await env.storage.device(id: credential.deviceID) {
                    device.lastUsedAt = now
                    try await env.storage.updateDevice(device)
                }
                try await PushProtectionService(env: env).recordSuccess(userID: user.id)
                logger.info("verification code accepted", metadata: ["tandem.user": "\(user.id)", "tandem.device": "\(credential.deviceID)"])
                return credential.deviceID
            case .reused:
                reused = true
            case .rejected:
                continue
            }
        }
        try await PushProtectionService(env: env).recordFailure(userID: user.id)
        logger.notice(reused ? "verification code reused" : "verification code refused", metadata: ["tandem.user": "\(user.id)"])
        throw TandemError(.unauthorized, reused ? Self.reusedMessage : Self.wrongMessage)
    }

    /// Records the step for a device's secret or a third-party app's (compare-and-set either way).
    func useStep(_ step: Int64, of credential: TOTPCredential, at now: Date) async throws -> Bool {
        switch credential.kind {
        case .device: try await env.storage.useTOTPStep(deviceID: credential.deviceID, step: step)
        case .softwareOath: try await env.storage.useSoftwareOathStep(id: credential.deviceID, step: step, at: now)
        }
    }

    public static let wrongMessage = "That code didn't work. Check the code in your Authenticator app and try again."
    public static let reusedMessage = "That code was already used. Wait for the next code in your Authenticator app."
}
