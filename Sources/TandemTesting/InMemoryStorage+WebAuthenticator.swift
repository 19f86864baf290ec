import Foundation
import TandemCore
import TandemServices

/// The web authenticator's writes in the in-memory twin: on the device itself, as the SQL store
/// keeps them on the device row.
extension InMemoryStorage {
    public func registerApprovalPasskey(deviceID: String, challenge: String, passkey: ApprovalPasskey, now: Date) -> ApprovalPasskeyRegistration {
        if devicesByID.values.contains(where: { $0.id != deviceID && $0.approvalPasskey?.credentialID == passkey.credentialID }) {
            return .credentialTaken
        }
        guard var device = devicesByID[deviceID] else { return .challengeRefused }
        if device.approvalPasskey != nil { return .alreadyRegistered }
        guard device.platform == .web, let open = device.approvalPasskeyChallenge, open.challenge == challenge, open.expiresAt > now else {
            return .challengeRefused
        }
        device.approvalPasskey = passkey
        device.approvalPasskeyChallenge = nil
        devicesByID[deviceID] = device
        return .registered
    }

    public func recordApprovalPasskeyUse(deviceID: String, credentialID: String, expectedSignCount: Int64, signCount: Int64) -> Bool {
        guard var device = devicesByID[deviceID], let passkey = device.approvalPasskey,
              passkey.credentialID == credentialID, passkey.signCount == expectedSignCount else { return false }
        device.approvalPasskey?.signCount = signCount
        devicesByID[deviceID] = device
        return true
    }
}
