import Foundation
import Logging
import TandemCore

/// Where adding an authenticator stands, as the security-info page shows it.
public struct RegistrationStatus: Sendable, Equatable, Codable {
    public enum State: String, Sendable, Codable {
        /// The code is shown; no device has used it yet.
        case awaitingDevice
        /// A device registered; the page shows the number for its confirmation push.
        case confirming
        /// Confirmed: the authenticator is active.
        case active
        /// The confirmation push was denied, answered wrongly or expired; add it again.
        case failed
        /// The code expired unused.
        case expired
    }
    public var state: State
    public var number: String?
    public var reason: ChallengeReason?
    public var deviceName: String?
}

/// Adding an authenticator: an activation code, the device's registration, the confirming push.
public struct RegistrationService: Sendable {
    let env: ServiceEnvironment
    let challenges: ChallengeService
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.registration")) {
        self.env = env
        self.challenges = ChallengeService(env: env, logger: logger)
        self.logger = logger
    }

    /// The path the activation URL points at; the authenticator posts to it.
    public static let activationPath = "/device/v1/activate"

    /// Issues a one-time activation code (160 random bits, base32) valid for 10 minutes.
    /// `publicURL` overrides the configured one (the server knows its bound port only once running).
    public func createActivation(for user: User, publicURL: String? = nil) async throws -> (activation: Activation, code: String, url: String) {
        let verdict = try await PolicyService(env: env).verdict(for: user)
        guard verdict.allows(.registration) else {
            throw TandemError(.forbidden, "Your organization hasn't enabled the Authenticator app for you. \(verdict.reason)")
        }
        let code = Base32.encode(env.random.bytes(20))
        let now = env.clock.now()
        let activation = Activation(id: env.random.identifier(), userID: user.id, codeDigest: SecretDigest.of(code),
                                    createdAt: now, expiresAt: now.addingTimeInterval(env.settings.activationLifetime))
        try await env.storage.insertActivation(activation)
        logger.info("activation code issued", metadata: ["tandem.user": "\(user.id)", "tandem.activation": "\(activation.id)"])
        return (activation, code, "\(publicURL ?? env.settings.publicURL)\(Self.activationPath)?code=\(code)")
    }

    /// Redeems an activation code: creates the device (unconfirmed) and sends it the confirming push.
    ///
    /// A web authenticator (`platform: "web"`, no approval key) gets in the answer the options for
    /// its approval passkey, whose registration (`WebAuthenticatorService.registerApprovalPasskey`)
    /// must come before it can approve the confirming push. `publicURL` (the relying party)
    /// defaults to the configured one.
    public func activate(_ request: ActivationRequest, context: ChallengeContext, publicURL: String? = nil) async throws -> ActivationResponse {
        let name = request.deviceName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else { throw TandemError(.badRequest, "deviceName must be 1 to 100 characters.") }
        guard request.appVersion.count <= 50 else { throw TandemError(.badRequest, "appVersion is too long.") }
        guard DeviceSignature.publicKey(request.deviceKey) != nil else { throw TandemError(.badRequest, "deviceKey is not a P-256 public key.") }
        let platform: DevicePlatform
        switch request.platform {
        case nil:
            guard let approvalKey = request.approvalKey else { throw TandemError(.badRequest, "Missing field approvalKey.") }
            guard DeviceSignature.publicKey(approvalKey) != nil else { throw TandemError(.badRequest, "approvalKey is not a P-256 public key.") }
            guard request.deviceKey != approvalKey else { throw TandemError(.badRequest, "deviceKey and approvalKey must differ.") }
            platform = .app
        case DevicePlatform.web.rawValue?:
            guard request.approvalKey == nil else {
                throw TandemError(.badRequest, "A web authenticator has no approvalKey: its approvals carry a passkey assertion.")
            }
            platform = .web
        default:
            throw TandemError(.badRequest, "platform must be \"web\" or absent.")
        }
        let publicURL = publicURL ?? env.settings.publicURL
        let web = WebAuthenticatorService(env: env, logger: logger)
        // The relying party must be known before the code is spent.
        if platform == .web { _ = try WebAuthnRelyingParty(publicURL: publicURL) }
        let code = request.code.replacingOccurrences(of: " ", with: "").uppercased()
        guard (16...64).contains(code.count), Base32.decode(code) != nil,
              var activation = try await env.storage.consumeActivation(codeDigest: SecretDigest.of(code), now: env.clock.now()),
              let user = try await env.storage.user(id: activation.userID), user.accountEnabled
        else {
            logger.notice("activation code refused")
            throw TandemError(.unauthorized, "The activation code is not valid, was already used, or has expired.")
        }
        let device = Device(id: env.random.identifier(), userID: user.id, name: name, appVersion: request.appVersion,
                            deviceKey: request.deviceKey, approvalKey: request.approvalKey ?? "",
                            state: .unconfirmed, createdAt: env.clock.now(), platform: platform,
                            approvalPasskeyChallenge: platform == .web ? web.newChallenge() : nil)
        try await env.storage.insertDevice(device)
        let challenge = try await challenges.issue(to: user, kind: .registration, context: context, targetDevice: device)
        activation.deviceID = device.id
        activation.challengeID = challenge.id
        try await env.storage.updateActivation(activation)
        await env.events.changed(challengeID: "activation:\(activation.id)")
        logger.info("device registered, awaiting confirmation", metadata: ["tandem.user": "\(user.id)", "tandem.device": "\(device.id)"])
        // Verification codes: a secret of its own for the device when the policy turns them on.
        let codes = VerificationCodeService(env: env)
        let totpSecret = try await codes.enabled(for: user) ? try await codes.issueSecret(deviceID: device.id) : nil
        let passkeyOptions = try device.approvalPasskeyChallenge.map { try web.options(for: device, user: user, challenge: $0, publicURL: publicURL) }
        return ActivationResponse(deviceId: device.id, userId: user.id, userPrincipalName: user.userPrincipalName,
                                  displayName: user.displayName, totpSecret: totpSecret, approvalPasskey: passkeyOptions)
    }

    /// Where the activation stands; with `wait` (seconds), first waits (bounded) for a change.
    public func status(activationID: String, userID: String, wait: TimeInterval? = nil) async throws -> RegistrationStatus {
        guard var activation = try await env.storage.activation(id: activationID), activation.userID == userID else {
            throw TandemError(.notFound, "No such activation.")
        }
        let deadline = env.clock.now().addingTimeInterval(max(wait ?? 0, 0))
        // Once a wait has returned because something changed, report at once instead of waiting again.
        var woken = false
        while true {
            if let challengeID = activation.challengeID, var challenge = try await challenges.current(id: challengeID) {
                if challenge.state == .pending, deadline > env.clock.now(), !woken {
                    await env.events.wait(challengeID: challengeID, until: min(deadline, challenge.expiresAt.addingTimeInterval(0.05)), on: env.clock)
                    challenge = try await challenges.current(id: challengeID) ?? challenge
                }
                let device = try await activation.deviceID.asyncMap { try await env.storage.device(id: $0) } ?? nil
                switch challenge.state {
                case .pending:
                    return RegistrationStatus(state: .confirming, number: challenge.number, deviceName: device?.name)
                case .approved, .redeemed:
                    return RegistrationStatus(state: .active, deviceName: device?.name)
                default:
                    return RegistrationStatus(state: .failed, reason: challenge.reason, deviceName: device?.name)
                }
            }
            if activation.expiresAt <= env.clock.now() { return RegistrationStatus(state: .expired) }
            guard deadline > env.clock.now() else { return RegistrationStatus(state: .awaitingDevice) }
            // No challenge yet: wait on the activation's own key, woken when a device registers.
            await env.events.wait(challengeID: "activation:\(activation.id)", until: min(deadline, activation.expiresAt), on: env.clock)
            woken = true
            activation = try await env.storage.activation(id: activationID) ?? activation
            if activation.challengeID == nil, env.clock.now() >= deadline { return RegistrationStatus(state: .awaitingDevice) }
        }
    }
}
