import Foundation
import Logging
import TandemCore

/// The registration campaign (decision 0034): Graph's `registrationEnforcement` on the
/// authentication methods policy, one policy document; the "Keep your account secure" prompt after
/// a multi-factor sign-in; the snoozes, counted on the server with a compare-and-set.
public struct RegistrationCampaignService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    /// The policy document's id.
    public static let documentID = "registrationCampaign"

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.campaign")) {
        self.env = env
        self.logger = logger
    }

    /// The setting as stored; Entra's default (`default`, read as off) when there is none. A
    /// document that does not decode is read as off (a prompt is a nudge, not a factor: nothing is
    /// weakened by not showing it).
    public func campaign() async throws -> RegistrationCampaign {
        try await document.read()
    }

    /// The setting with its entity tag (one read).
    public func tagged() async throws -> (campaign: RegistrationCampaign, etag: String) {
        let (value, etag) = try await document.readTagged()
        return (value, etag)
    }

    /// The one policy document (compare-and-set, `If-Match`, audited with the change; decision 0018).
    var document: MethodConfigurationDocument<RegistrationCampaign> {
        MethodConfigurationDocument(env: env, id: Self.documentID, standard: RegistrationCampaign(), unreadable: RegistrationCampaign(state: .disabled),
                                    name: "Registration campaign", property: "registrationEnforcement")
    }

    /// Saves a new setting (validated here: Graph and any page share the rules), with its audit
    /// entry in the same transaction.
    public func save(_ campaign: RegistrationCampaign, by actor: User?) async throws {
        try await update(by: actor) { _ in campaign }
    }

    /// Changes the setting by `change` without losing a concurrent change; `412` when `ifMatch`
    /// no longer matches the stored document. Returns the new entity tag.
    @discardableResult
    public func update(ifMatch: String? = nil, by actor: User?,
                       _ change: (RegistrationCampaign) throws -> RegistrationCampaign) async throws -> String {
        try await document.updateTagged(ifMatch: ifMatch, by: actor, validate: { try Self.validate($0) }, change).etag
    }

    /// Refuses what Entra refuses or Tandem cannot keep: snooze days outside 0–14, too many
    /// targets, an empty id, `all_users` as a user, everyone excluded.
    public static func validate(_ campaign: RegistrationCampaign) throws {
        let field = "registrationEnforcement.authenticationMethodsRegistrationCampaign"
        guard RegistrationCampaign.snoozeDays.contains(campaign.snoozeDurationInDays) else {
            throw TandemError(.badRequest, "\(field).snoozeDurationInDays must be between 0 and 14.")
        }
        let lists: [(String, [(AuthenticatorPolicy.TargetType, String)])] = [
            ("includeTargets", campaign.includeTargets.map { ($0.targetType, $0.id) }),
            ("excludeTargets", campaign.excludeTargets.map { ($0.targetType, $0.id) }),
        ]
        for (name, targets) in lists {
            guard targets.count <= RegistrationCampaign.maxTargets else {
                throw TandemError(.badRequest, "\(field).\(name) may hold at most \(RegistrationCampaign.maxTargets) targets.")
            }
            for (type, id) in targets {
                guard !id.isEmpty, id.count <= 256 else { throw TandemError(.badRequest, "\(field).\(name)[].id must be a user or group id, or all_users.") }
                guard !(type == .user && id == AuthenticatorPolicy.allUsers) else {
                    throw TandemError(.badRequest, "\(field).\(name)[]: all_users is a group target.")
                }
            }
        }
        if campaign.excludeTargets.contains(where: { $0.id == AuthenticatorPolicy.allUsers }) {
            throw TandemError(.badRequest, "\(field).excludeTargets cannot exclude all_users: set state to disabled instead.")
        }
    }

    /// The prompt for `user` after a sign-in that gave `amr`, begun at `startedAt`; `nil` when none
    /// is due. Only a multi-factor sign-in prompts; a Temporary Access Pass (onboarding has its own
    /// page) and a step-up (the user is changing methods already) do not.
    public func nudge(for user: User, amr: [String], startedAt: Date, stepUp: Bool) async throws -> RegistrationCampaign.Nudge? {
        guard amr.contains("mfa"), !amr.contains("tap"), !stepUp else { return nil }
        let campaign = try await campaign()
        guard campaign.state == .enabled else { return nil }
        let subject = try await PolicyService(env: env).subject(for: user)
        var registered: Set<RegistrationCampaign.Method> = []
        if try await env.storage.devices(userID: user.id).contains(where: { $0.state == .active }) { registered.insert(.microsoftAuthenticator) }
        if try await !env.storage.passkeys(userID: user.id).isEmpty { registered.insert(.fido2) }
        var registrable: Set<RegistrationCampaign.Method> = []
        if try await PolicyService(env: env).verdict(for: user).allows(.registration) { registrable.insert(.microsoftAuthenticator) }
        if try await PasskeyService(env: env).mayRegister(user) { registrable.insert(.fido2) }
        return campaign.nudge(for: subject, registered: registered, registrable: registrable,
                              snoozes: try await env.storage.campaignSnoozes(userID: user.id), signInStartedAt: startedAt, now: env.clock.now())
    }

    /// "Not now": one more snooze, refused (403) once the allowed snoozes are used up while the
    /// campaign enforces registration — the count is a compare-and-set, so parallel requests
    /// cannot pass the bound.
    public func snooze(_ user: User) async throws {
        let campaign = try await campaign()
        guard let count = try await env.storage.recordCampaignSnooze(userID: user.id, at: env.clock.now(), limit: campaign.snoozeLimit) else {
            throw TandemError(.forbidden, "Your organization requires you to set up this sign-in method now.")
        }
        logger.info("registration campaign snoozed", metadata: ["tandem.user": "\(user.id)", "tandem.snoozes": "\(count)"])
    }
}
