import Foundation

/// What the security-info portal and the sign-in experience keep: verification-code secrets of
/// devices, the last sign-in method of each user, and Temporary Access Passes. Single-use steps
/// (`useTOTPStep`, `useTemporaryAccessPass`) are one atomic compare-and-set returning whether this
/// call won.
public protocol PortalStore: Sendable {
    /// Gives a device its verification-code secret (base32).
    func setTOTPSecret(deviceID: String, secret: String) async throws
    /// Forgets a device's secret (the device was deleted).
    func deleteTOTPSecret(deviceID: String) async throws
    /// The user's active devices that have a secret, oldest first.
    func totpCredentials(userID: String) async throws -> [TOTPCredential]
    /// Every device's stored secret, whatever its state (the re-sealing pass, decision 0027).
    func allTOTPSecrets() async throws -> [(deviceID: String, secret: String)]
    /// Replaces a device's stored secret text if it is still `old`, keeping its last used step
    /// (re-sealing the same secret must not reopen a used code); returns whether it did.
    func replaceTOTPSecret(deviceID: String, old: String, new: String) async throws -> Bool
    /// Records `step` as used for the device if it is later than the last used step (and the
    /// device is active with a secret); returns whether it did.
    func useTOTPStep(deviceID: String, step: Int64) async throws -> Bool

    /// `passwordless` or `password`: how the user last finished a sign-in.
    func lastSignInMethod(userID: String) async throws -> String?
    func setLastSignInMethod(userID: String, method: String) async throws

    func insertTemporaryAccessPass(_ pass: TemporaryAccessPass) async throws
    func temporaryAccessPass(id: String) async throws -> TemporaryAccessPass?
    /// Oldest first.
    func temporaryAccessPasses(userID: String) async throws -> [TemporaryAccessPass]
    /// Returns whether a pass was deleted.
    func deleteTemporaryAccessPass(id: String) async throws -> Bool
    /// Marks an unused pass used at `at`; returns whether this call did (a one-time pass signs in once).
    func useTemporaryAccessPass(id: String, at: Date) async throws -> Bool
}
