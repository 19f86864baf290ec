import Foundation
import TandemCore

/// System-preferred MFA (decision 0033): after the password, the strongest second factor the user
/// has goes first. The pure decision (`SignInDecision.afterPassword`) makes the choice; this reads
/// its two facts, once per password, only for a password sign-in.
extension SignInService {
    /// Adds system-preferred MFA's facts to a password step's facts: whether it applies to the
    /// user, and — when it does and the caller can run a passkey ceremony (a browser, not RADIUS) —
    /// whether the user has a passkey the passkey (FIDO2) policy accepts.
    func addSystemPreferred(_ facts: inout SignInFacts, snapshot: SignInSnapshot, passkeyPossible: Bool) async throws {
        guard try await SystemPreferredMFAService(env: env).applies(to: snapshot.subject) else { return }
        facts.systemPreferred = true
        if passkeyPossible, !facts.hasPasskey {
            facts.hasPasskey = try await hasUsablePasskey(snapshot.user)
        }
    }

    /// Whether the user has a passkey the passkey (FIDO2) policy lets them sign in with.
    func hasUsablePasskey(_ user: User) async throws -> Bool {
        let fido = Fido2ConfigurationService(env: env)
        for passkey in try await env.storage.passkeys(userID: user.id) where try await fido.allowsSignIn(user, aaguid: passkey.aaguid) {
            return true
        }
        return false
    }
}

extension SignInService {
    /// Graph's per-user `signInPreferences` view of system-preferred MFA: whether it applies to the
    /// user, and the method a password sign-in would ask for first (`fido2`, `push`, `oath`; `nil`
    /// when it does not apply or the user has no second factor) — the same pure decision the
    /// sign-in makes (`SignInDecision.strongestSecondFactor`).
    public func systemPreferredMethod(for user: User) async throws -> (enabled: Bool, method: String?) {
        let snapshot = try await SignInSnapshot.load(user, env: env)
        guard try await SystemPreferredMFAService(env: env).applies(to: snapshot.subject) else { return (false, nil) }
        let passkey = try await hasUsablePasskey(user)
        switch SignInDecision.strongestSecondFactor(passkey: passkey, push: snapshot.notificationAvailable, code: snapshot.codesAvailable) {
        case .passkey: return (true, "fido2")
        case .push: return (true, "push")
        case .code: return (true, "oath")
        default: return (true, nil)
        }
    }
}
