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
        guard let body = try await env.policyDocument(id: Self.documentID) else { return RegistrationCampaign() }
        return (try? JSONDecoder().decode(RegistrationCampaign.self, from: Data(body.utf8))) ?? RegistrationCampaign(state: .disabled)
    }

    /// Saves a new setting (validated here: Graph and any page share the rules), with its audit
    /// entry in the same transaction.
    public func save(_ campaign: RegistrationCampaign, by actor: User?) async throws {
        try Self.validate(campaign)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = String(decoding: try encoder.encode(campaign), as: UTF8.self)
        let now = env.clock.now()
        try await env.transaction { env in
            let old = try await env.storage.policyDocument(id: Self.documentID)
            try await env.storage.savePolicyDocument(id: Self.documentID, body: body, updatedAt: now)
            try await Auditor(env: env).record("Policy", "Update authentication methods policy", "Update", actor: actor, targetType: "Policy",
                                               targetID: Self.documentID, targetName: "Registration campaign",
                                               property: "registrationEnforcement", old: old, new: body)
        }
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
