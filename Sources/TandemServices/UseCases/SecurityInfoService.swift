import Foundation
import Logging
import TandemCore

/// What the security-info page shows and changes for the signed-in user: their methods, the
/// default sign-in method, deleting an authenticator.
public struct SecurityInfoService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.securityinfo")) {
        self.env = env
        self.logger = logger
    }

    /// The default sign-in methods (`users.preferred_method`, Graph's
    /// `userPreferredMethodForSecondaryAuthentication`) and their names on the page.
    public enum DefaultMethod: String, Sendable, CaseIterable {
        case push
        case oath

        public var label: String {
            switch self {
            case .push: "Authenticator – notification"
            case .oath: "Authenticator – verification code"
            }
        }
    }

    /// The user's methods.
    public struct Overview: Sendable {
        public var hasPassword: Bool
        /// Authenticators not removed, oldest first.
        public var devices: [Device]
        /// The devices that also make verification codes (and codes are on).
        public var codeDeviceIDs: Set<String>
        /// Temporary Access Passes that still work.
        public var passes: [TemporaryAccessPass]
        /// What the default sign-in method can be set to now.
        public var defaultChoices: [DefaultMethod]
        /// The current default (the system's choice, notification, when none is set).
        public var defaultMethod: DefaultMethod?
    }

    public func overview(of user: User) async throws -> Overview {
        let devices = try await env.storage.devices(userID: user.id)
        let codes = VerificationCodeService(env: env)
        let codeDevices = try await codes.enabled(for: user) ? Set(try await env.storage.totpCredentials(userID: user.id).map(\.deviceID)) : []
        var choices: [DefaultMethod] = []
        if devices.contains(where: { $0.state == .active }) { choices.append(.push) }
        if !codeDevices.isEmpty { choices.append(.oath) }
        let now = env.clock.now()
        let preferred = user.preferredMethod.flatMap(DefaultMethod.init(rawValue:))
        return Overview(hasPassword: user.passwordHash != nil, devices: devices, codeDeviceIDs: codeDevices,
                        passes: try await env.storage.temporaryAccessPasses(userID: user.id).filter { $0.isUsable(at: now) },
                        defaultChoices: choices,
                        defaultMethod: preferred.flatMap { choices.contains($0) ? $0 : nil } ?? choices.first)
    }

    /// Sets the default sign-in method: what comes after the password. Audited with the user as actor.
    public func setDefaultMethod(_ raw: String, for user: User) async throws {
        guard let method = DefaultMethod(rawValue: raw), try await overview(of: user).defaultChoices.contains(method) else {
            throw TandemError(.badRequest, "That sign-in method isn't available for your account.")
        }
        _ = try await DirectoryAdminService(env: env).updateUser(user, displayName: nil, accountEnabled: nil, password: nil, mfaState: nil,
                                                                 preferredMethod: .some(method.rawValue), by: user)
    }

    /// Deletes one of the user's authenticators: it stops at once (pending requests withdrawn,
    /// channel closed, verification codes ended). Returns its name.
    @discardableResult
    public func deleteDevice(id: String, of user: User) async throws -> String {
        guard let device = try await env.storage.device(id: id), device.userID == user.id, device.state != .removed else {
            throw TandemError(.notFound, "That sign-in method no longer exists.")
        }
        try await DirectoryAdminService(env: env).removeDevice(device, of: user, by: user)
        return device.name
    }
}
