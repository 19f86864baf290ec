import Foundation
import TandemCore

/// Who may change the user's methods (decision 0013, OWASP ASVS 5.0 V7.5): a recent multi-factor
/// sign-in (or a Temporary Access Pass) for every change; the first method of a user who has none
/// also after the password alone, when the settings allow it (Entra's behaviour). A change ends
/// every other session of the user (ASVS V7.4).
extension SecurityInfoService {
    /// Whether `session` is strong and recent enough to add or remove a method.
    public func mayChangeMethods(_ session: Session) async throws -> Bool {
        let minutes = try await SignInThrottleService(env: env).settings().stepUpMinutes
        return session.methods.contains("mfa") && env.clock.now().timeIntervalSince(session.createdAt) <= Double(minutes) * 60
    }

    /// Whether the user, who has no active method, may register the first one without MFA.
    public func mayAddFirstMethod(_ user: User) async throws -> Bool {
        guard try await SignInThrottleService(env: env).settings().firstMethodWithPassword else { return false }
        return try await !hasActiveMethod(user)
    }

    /// Whether the user has any registered method: an active authenticator, a passkey or another
    /// authenticator app (decision 0031). A user with only a passkey or an app is not a first-time
    /// user: a password alone must not add a method beside it.
    public func hasActiveMethod(_ user: User) async throws -> Bool {
        if try await env.storage.devices(userID: user.id).contains(where: { $0.state == .active }) { return true }
        if try await !env.storage.softwareOathMethods(userID: user.id).isEmpty { return true }
        return try await !env.storage.passkeys(userID: user.id).isEmpty
    }

    /// Deletes one of the user's authenticators from a strong recent session, then ends every
    /// session of the user and gives this browser a new one (returned: the new cookie's token).
    public func deleteDevice(id: String, of user: User, session: Session) async throws -> (name: String, sessionToken: String) {
        guard try await mayChangeMethods(session) else {
            throw TandemError(.forbidden, "Verify your identity again to change your sign-in methods.")
        }
        let name = try await deleteDevice(id: id, of: user)
        return (name, try await renewAfterChange(user: user, session: session, reason: .authenticatorRemoved))
    }

    /// Ends every session, remembered browser and token of the user (`SessionRevocation`) and
    /// issues this browser a new session with the same methods.
    public func renewAfterChange(user: User, session: Session, reason: SessionRevocation.Reason) async throws -> String {
        try await SessionRevocation(env: env).revokeEverything(userID: user.id, reason: reason, by: user)
        let token = env.random.identifier(byteCount: 32)
        let now = env.clock.now()
        try await env.storage.insertSession(Session(id: SecretDigest.of(token), userID: user.id, methods: session.methods,
                                                    createdAt: now, expiresAt: max(session.expiresAt, now)))
        return token
    }

    /// What the page tells the user about a recent lock of their sign-in (decision 0013).
    public func lockNotice(for user: User) async throws -> String? {
        guard let at = try await SignInThrottleService(env: env).lastLock(userID: user.id),
              env.clock.now().timeIntervalSince(at) < 30 * 86_400
        else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM yyyy, HH:mm 'UTC'"
        return "On \(formatter.string(from: at)) sign-in to your account was locked for a while after repeated incorrect attempts. If that wasn't you, change your password and tell your administrator."
    }
}
