import Foundation
import TandemCore

/// A verification code as the app shows it.
public struct VerificationCode: Sendable, Equatable {
    /// The account it is for.
    public var account: Account
    /// The digits to type (6 by default).
    public var code: String
    /// Seconds until the code changes (1...period).
    public var secondsRemaining: Int
}

extension Authenticator {
    /// The accounts that have a verification-code secret on this device.
    public func accountsWithCodes() throws -> [Account] {
        try accounts().filter { $0.totpSecretLabel != nil }
    }

    /// The current verification code of `account` (no PIN: see `OATHSecretStore`). Throws
    /// `.keyNotFound` when the server never sent this device a secret.
    public func verificationCode(account: Account) throws -> VerificationCode {
        guard let label = account.totpSecretLabel, let oathStore else {
            throw AuthenticatorError(
                .keyNotFound,
                "no verification codes for \(account.userPrincipalName): the organisation has not turned them on for this account")
        }
        let totp = try oathStore.totp(label: label)
        let date = now()
        return VerificationCode(account: account, code: totp.code(at: date), secondsRemaining: totp.secondsRemaining(at: date))
    }
}
