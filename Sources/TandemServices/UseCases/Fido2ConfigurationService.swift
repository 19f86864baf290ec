import Foundation
import Logging
import TandemCore

/// The passkey (FIDO2) method configuration (decision 0025): one policy document, changed by
/// compare-and-set with its audit entry in the same transaction (decision 0018).
public struct Fido2ConfigurationService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public static let documentID = "fido2"

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.policy")) {
        self.env = env
        self.logger = logger
    }

    var document: MethodConfigurationDocument<Fido2Configuration> {
        MethodConfigurationDocument(env: env, id: Self.documentID, standard: .default, unreadable: Fido2Configuration(state: .disabled),
                                    name: "Passkey (FIDO2)")
    }

    /// The stored configuration, or the default (passkeys on for everyone). A document that
    /// cannot be read turns passkeys off (fail closed).
    public func configuration() async throws -> Fido2Configuration {
        try await document.read()
    }

    /// Whether `user` may sign in with a passkey of this model.
    public func allowsSignIn(_ user: User, aaguid: String) async throws -> Bool {
        let config = try await configuration()
        if config == .default { return true }
        return config.allows(try await PolicyService(env: env).subject(for: user)) && config.allowsAAGUID(aaguid)
    }

    @discardableResult
    public func update(by actor: User?, _ change: (Fido2Configuration) throws -> Fido2Configuration) async throws -> Fido2Configuration {
        let roots = env.settings.attestationRoots
        let updated = try await document.update(by: actor, validate: validate) { old in
            let new = try change(old)
            // Turning enforcement on needs roots to verify against (decision 0037); one already on stays
            // changeable (an instance started without roots refuses registrations, fail closed).
            if new.isAttestationEnforced, !old.isAttestationEnforced, roots.isEmpty {
                throw TandemError(.badRequest, "isAttestationEnforced: this server has no attestation root certificates (tandem serve --fido2-attestation-roots FILE); enforcing would refuse every registration.")
            }
            return new
        }
        logger.info("passkey (FIDO2) configuration updated", metadata: ["tandem.actor": "\(actor?.id ?? "cli")"])
        return updated
    }

    func validate(_ c: Fido2Configuration) async throws {
        guard !c.includeTargets.isEmpty || c.state == .disabled else {
            throw TandemError(.badRequest, "includeTargets: select at least one group (or all_users), or disable the method.")
        }
        for (index, target) in c.excludeTargets.enumerated() where target.id == AuthenticatorPolicy.allUsers {
            throw TandemError(.badRequest, "excludeTargets[\(index)].id: all_users can't be excluded; disable the method instead.")
        }
        for target in c.includeTargets + c.excludeTargets {
            try await PolicyService(env: env).checkTarget(target.targetType, target.id, field: "targets")
        }
        guard c.keyRestrictions.aaGuids.count <= 256, c.keyRestrictions.aaGuids.allSatisfy({ UUID(uuidString: $0) != nil }) else {
            throw TandemError(.badRequest, "keyRestrictions.aaGuids: at most 256 AAGUIDs, each a UUID.")
        }
    }
}
