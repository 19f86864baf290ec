import Foundation
import TandemCore

/// The registration campaign's place in the sign-in (decision 0034): asked before the sign-in
/// completes, so the prompt comes between the verified factors and the session, as in Entra.
extension SignInService {
    /// The prompt due for the flow behind `token` when it would complete now as a multi-factor
    /// sign-in; `nil` otherwise. Reads only: the push is not redeemed and the flow not saved (the
    /// completion that follows does both, once).
    public func registrationNudge(token: String) async throws -> RegistrationCampaign.Nudge? {
        // Off (the default): one read of the policy document, nothing else.
        guard try await RegistrationCampaignService(env: env).campaign().state == .enabled else { return nil }
        var flow = try await flow(token: token)
        guard let userID = flow.userID, let user = try await env.storage.user(id: userID) else { return nil }
        var redeemable: ChallengeKind? = nil
        if let id = flow.pushToRedeem {
            guard let challenge = try await env.storage.challenge(id: id), challenge.state == .approved else { return nil }
            redeemable = challenge.kind
        }
        guard case .session(let amr) = flow.complete(redeemed: redeemable, mayEnrol: false) else { return nil }
        return try await RegistrationCampaignService(env: env).nudge(for: user, amr: amr, startedAt: flow.createdAt, stepUp: flow.stepUp)
    }

    /// "Not now" for the flow's user: one more snooze (403 once none remain, decision 0034).
    public func snoozeRegistrationCampaign(token: String) async throws {
        try await RegistrationCampaignService(env: env).snooze(try await flowUser(token: token))
    }

    /// The user of the flow behind `token` (the prompt's "Not now" counts against them).
    public func flowUser(token: String) async throws -> User {
        let flow = try await flow(token: token)
        guard let userID = flow.userID, let user = try await env.storage.user(id: userID) else {
            throw TandemError(.unauthorized, "Your sign-in has expired. Start again.")
        }
        return user
    }
}
