import Foundation
import Logging
import TandemCore

/// The Temporary Access Pass method configuration (decision 0036): one policy document, changed by
/// compare-and-set with its audit entry in the same transaction (decision 0018), as the Fido2 one.
public struct TemporaryAccessPassConfigurationService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public static let documentID = "temporaryAccessPass"

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.policy")) {
        self.env = env
        self.logger = logger
    }

    /// The stored configuration, or the default. A document that cannot be read turns passes off
    /// (fail closed: a pass is a credential).
    public func configuration() async throws -> TemporaryAccessPassConfiguration {
        guard let body = try await env.policyDocument(id: Self.documentID) else { return .default }
        return (try? JSONDecoder().decode(TemporaryAccessPassConfiguration.self, from: Data(body.utf8)))
            ?? TemporaryAccessPassConfiguration(state: .disabled)
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
        for _ in 0..<8 {
            let stored = try await env.storage.policyDocument(id: Self.documentID)
            let current = stored.flatMap { try? JSONDecoder().decode(TemporaryAccessPassConfiguration.self, from: Data($0.utf8)) } ?? .default
            let updated = try change(current)
            if let problem = updated.problem { throw TandemError(.badRequest, problem) }
            let (old, body) = (Self.json(current), Self.json(updated))
            let (now, env) = (env.clock.now(), env)
            let saved = try await env.transaction { env in
                guard try await env.storage.replacePolicyDocument(id: Self.documentID, body: body, updatedAt: now, ifBodyIs: stored) else { return false }
                try await Auditor(env: env).record("Policy", "Update authentication methods policy", "Update", actor: actor,
                                                   targetType: "Policy", targetID: Self.documentID, targetName: "Temporary Access Pass",
                                                   property: "temporaryAccessPass", old: old, new: body)
                return true
            }
            if saved {
                logger.info("temporary access pass configuration updated", metadata: ["tandem.actor": "\(actor?.id ?? "cli")"])
                return updated
            }
        }
        throw TandemError(.conflict, "The policy is being changed by someone else; try again.")
    }

    static func json(_ c: TemporaryAccessPassConfiguration) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(c)) ?? Data(), as: UTF8.self)
    }
}
