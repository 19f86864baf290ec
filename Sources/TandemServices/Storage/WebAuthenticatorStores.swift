import Foundation

/// How registering a web device's approval passkey ended (`WebAuthenticatorStore.registerApprovalPasskey`).
public enum ApprovalPasskeyRegistration: Sendable, Equatable {
    /// Stored; the registration challenge is spent.
    case registered
    /// The device already has an approval passkey (one per device).
    case alreadyRegistered
    /// Another device registered this credential id.
    case credentialTaken
    /// The challenge is not the device's open one: used, expired (by `now`) or never issued.
    case challengeRefused
}

/// What the web authenticator needs from storage beyond the device row (issue 13, migration 180):
/// the approval passkey, written once, and its counter, written by compare-and-set.
public protocol WebAuthenticatorStore: Sendable {
    /// Sets the device's approval passkey if it has none, its open registration challenge is
    /// exactly `challenge` and has not expired at `now`, and no other device has the credential id;
    /// clears the challenge in the same write (single use).
    func registerApprovalPasskey(deviceID: String, challenge: String, passkey: ApprovalPasskey, now: Date) async throws -> ApprovalPasskeyRegistration
    /// Writes the approval passkey's new counter if the stored one is still `expectedSignCount`
    /// and the credential is still `credentialID`; returns whether it wrote. Call it in the same
    /// transaction as the answer's compare-and-set.
    func recordApprovalPasskeyUse(deviceID: String, credentialID: String, expectedSignCount: Int64, signCount: Int64) async throws -> Bool
}
