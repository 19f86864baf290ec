import Foundation
import Logging
import TandemCore

/// Any authenticator app for codes (issue 12, decision 0031): Entra's "I want to use a different
/// authenticator app", Graph's `softwareOathMethods`. The security-info page asks for a new
/// secret (a recent multi-factor sign-in, the same rule as a passkey), shows it once as an
/// `otpauth://` QR code and in base32, and the method becomes active only when the first code
/// from the app is right, within `pendingLifetime`, once. The secret is sealed at rest like the
/// devices' (decision 0027); codes are checked at sign-in by `VerificationCodeService`. Additions
/// and deletions commit with their audit entries (decision 0018).
public struct SoftwareOathService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    /// How long the QR code may be scanned and confirmed (server clock).
    public static let pendingLifetime: TimeInterval = 600
    /// What the security-info page calls the method (Entra's name for it).
    public static let methodName = "Authenticator app"

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.software-oath")) {
        self.env = env
        self.logger = logger
    }

    /// What the page shows once: the pending method's id (for the confirming form), the secret in
    /// base32 and the key URI the QR code carries. Secret: never logged, never in a URL.
    public struct Enrolment: Sendable {
        public var pendingID: String
        public var secret: String
        public var keyURI: String
        public var expiresAt: Date
    }

    static let stepUpMessage = "Verify your identity again to change your sign-in methods."

    /// Whether the user may add an app: codes are on for them (the policy's `isSoftwareOathEnabled`
    /// for a user it targets and the verification-code setting, as for the devices' codes).
    public func mayRegister(_ user: User) async throws -> Bool {
        try await VerificationCodeService(env: env).enabled(for: user)
    }

    func requireAllowed(_ user: User, _ session: Session) async throws {
        guard try await SecurityInfoService(env: env).mayChangeMethods(session) else { throw TandemError(.forbidden, Self.stepUpMessage) }
        guard try await mayRegister(user) else {
            throw TandemError(.forbidden, "Your organization doesn't allow verification codes from an authenticator app.")
        }
    }

    /// A new pending method with a fresh secret (20 bytes from the one random source).
    public func begin(for user: User, session: Session) async throws -> Enrolment {
        try await requireAllowed(user, session)
        let now = env.clock.now()
        _ = try await env.storage.purgeSoftwareOathPending(before: now)
        let id = env.random.uuid()
        let totp = try TOTP(secret: TOTP.newSecret(random: env.random))
        let codes = VerificationCodeService(env: env, logger: logger)
        let sealed = try codes.sealed(totp.base32Secret, context: VerificationCodeService.sealContext(
            TOTPCredential(deviceID: id, secret: "", lastUsedStep: nil, kind: .softwareOath)))
        let expiresAt = now.addingTimeInterval(Self.pendingLifetime)
        try await env.storage.insertSoftwareOathMethod(SoftwareOathMethod(
            id: id, userID: user.id, secret: sealed, state: .pending, name: Self.methodName, createdAt: now, expiresAt: expiresAt))
        let uri = TOTPKeyURI(issuer: env.settings.applicationName, accountName: user.userPrincipalName, totp: totp).string
        logger.info("software OATH method pending", metadata: ["tandem.user": "\(user.id)", "tandem.method": "\(id)"])
        return Enrolment(pendingID: id, secret: totp.base32Secret, keyURI: uri, expiresAt: expiresAt)
    }

    /// Checks the first code from the app and makes the method active (its step counts as used),
    /// audited in the same transaction; then the user's other sessions end and this browser gets a
    /// new session (returned). A wrong code leaves the pending method as it is; an expired, used or
    /// someone else's pending id is a 400.
    public func finish(pendingID: String, code typed: String, for user: User, session: Session) async throws -> (method: SoftwareOathMethod, sessionToken: String) {
        try await requireAllowed(user, session)
        let now = env.clock.now()
        let expired = TandemError(.badRequest, "This QR code expired or was already used. Start again.")
        guard let pending = try await env.storage.pendingSoftwareOathMethod(id: pendingID, userID: user.id, now: now) else { throw expired }
        let codes = VerificationCodeService(env: env, logger: logger)
        guard let secret = codes.opened(TOTPCredential(deviceID: pending.id, secret: pending.secret, lastUsedStep: nil, kind: .softwareOath)),
              let totp = try? TOTP(secret: secret) else { throw expired }
        guard case .accepted(let step, _) = totp.verify(typed.filter { !$0.isWhitespace }, at: now, window: VerificationCodeService.window),
              let stored = Int64(exactly: step) else {
            logger.notice("software OATH first code refused", metadata: ["tandem.user": "\(user.id)"])
            throw TandemError(.badRequest, "That code didn't work. Enter the current code from your authenticator app.")
        }
        let method = try await env.transaction { env in
            guard try await env.storage.activateSoftwareOathMethod(id: pending.id, userID: user.id, step: stored, now: now) else { throw expired }
            try await Auditor(env: env).record("UserAuthenticationMethod", "Add software OATH token method", "Add", actor: user, targetType: "User",
                                               targetID: user.id, targetName: user.userPrincipalName, property: "softwareOathMethods", new: pending.name)
            var method = pending
            (method.state, method.expiresAt, method.lastUsedStep, method.lastUsedAt) = (.active, nil, stored, now)
            return method
        }
        logger.info("software OATH method added", metadata: ["tandem.user": "\(user.id)", "tandem.method": "\(method.id)"])
        let token = try await SecurityInfoService(env: env).renewAfterChange(user: user, session: session, reason: .authenticatorAdded)
        return (method, token)
    }

    /// The user's active apps, oldest first.
    public func methods(of user: User) async throws -> [SoftwareOathMethod] {
        try await env.storage.softwareOathMethods(userID: user.id)
    }

    /// The user's active method `id`; `notFound` for another user's, a pending or an unknown id.
    public func method(id: String, of user: User) async throws -> SoftwareOathMethod {
        guard let method = try await env.storage.softwareOathMethod(id: id), method.userID == user.id else {
            throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return method
    }

    /// Deletes one of the user's apps from a strong recent session (audited; other sessions end).
    public func delete(id: String, of user: User, session: Session) async throws -> (name: String, sessionToken: String) {
        let security = SecurityInfoService(env: env)
        guard try await security.mayChangeMethods(session) else { throw TandemError(.forbidden, Self.stepUpMessage) }
        let name = try await delete(id: id, of: user, by: user)
        return (name, try await security.renewAfterChange(user: user, session: session, reason: .authenticatorRemoved))
    }

    /// Deletes an app of `user` on behalf of `actor` (the user, or an administrator through Graph,
    /// whose boundary the caller checked), with its audit entry in the same transaction.
    @discardableResult
    public func delete(id: String, of user: User, by actor: User?) async throws -> String {
        let method = try await method(id: id, of: user)
        try await env.transaction { env in
            guard try await env.storage.deleteSoftwareOathMethod(id: id, userID: user.id) else {
                throw TandemError(.notFound, "That sign-in method no longer exists.")
            }
            try await Auditor(env: env).record("UserAuthenticationMethod", "Delete software OATH token method", "Delete", actor: actor, targetType: "User",
                                               targetID: user.id, targetName: user.userPrincipalName, property: "softwareOathMethods", old: method.name)
        }
        logger.info("software OATH method deleted", metadata: ["tandem.user": "\(user.id)", "tandem.method": "\(id)"])
        if actor?.id != user.id {
            try await SessionRevocation(env: env, logger: logger).revokeEverything(userID: user.id, reason: .authenticatorRemoved, by: actor)
        }
        return method.name
    }
}
