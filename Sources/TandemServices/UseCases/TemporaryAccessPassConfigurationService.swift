import Foundation
import Logging
import TandemCore

/// The Temporary Access Pass method configuration (decision 0036): one policy document, read and
/// changed as the Fido2 one (`MethodConfigurationDocument`).
public struct TemporaryAccessPassConfigurationService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public static let documentID = "temporaryAccessPass"

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.policy")) {
        self.env = env
        self.logger = logger
    }

    /// A document that cannot be read turns passes off (fail closed: a pass is a credential).
    var document: MethodConfigurationDocument<TemporaryAccessPassConfiguration> {
        MethodConfigurationDocument(env: env, id: Self.documentID, standard: .default,
                                    unreadable: TemporaryAccessPassConfiguration(state: .disabled), name: "Temporary Access Pass")
    }

    /// The stored configuration, or the default.
    public func configuration() async throws -> TemporaryAccessPassConfiguration {
        try await document.read()
    }

    /// Whether `user` may be given, and may sign in with, a pass.
    public func allows(_ user: User) async throws -> Bool {
        let config = try await configuration()
        if config == .default { return true }
        return config.allows(try await PolicyService(env: env).subject(for: user))
    }

    @discardableResult
    public func update(by actor: User?, _ change: (TemporaryAccessPassConfiguration) throws -> TemporaryAccessPassConfiguration) async throws
        -> TemporaryAccessPassConfiguration {
        let updated = try await document.update(by: actor, validate: validate, change)
        logger.info("temporary access pass configuration updated", metadata: ["tandem.actor": "\(actor?.id ?? "cli")"])
        return updated
    }

    /// The configuration's own rules, and every target an existing group or user (as Fido2's).
    func validate(_ c: TemporaryAccessPassConfiguration) async throws {
        if let problem = c.problem { throw TandemError(.badRequest, problem) }
        for target in c.includeTargets + c.excludeTargets {
            try await PolicyService(env: env).checkTarget(target.targetType, target.id, field: "targets")
        }
    }
}
