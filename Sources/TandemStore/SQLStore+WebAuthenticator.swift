import Foundation
import SQLKit
import TandemCore
import TandemServices

extension SQLStore: WebAuthenticatorStore {
    public func registerApprovalPasskey(deviceID: String, challenge: String, passkey: ApprovalPasskey, now: Date) async throws -> ApprovalPasskeyRegistration {
        if try await credentialTaken(passkey.credentialID, by: deviceID) { return .credentialTaken }
        let row: (any SQLRow)?
        do {
            row = try await db.raw("""
            UPDATE devices SET approval_credential_id = \(bind: passkey.credentialID), approval_credential_key = \(bind: passkey.publicKey),
                approval_sign_count = \(bind: passkey.signCount), approval_backup_eligible = \(bind: passkey.backupEligible ? 1 : 0),
                approval_registered_at = \(bind: Self.millis(passkey.registeredAt)),
                approval_challenge = NULL, approval_challenge_expires_at = NULL
            WHERE id = \(bind: deviceID) AND platform = 'web' AND approval_credential_id IS NULL
                AND approval_challenge = \(bind: challenge) AND approval_challenge_expires_at > \(bind: Self.millis(now))
            RETURNING id
            """).first()
        } catch {
            // Another device registered the same credential id between the check and the write:
            // the unique index refused it.
            if try await credentialTaken(passkey.credentialID, by: deviceID) { return .credentialTaken }
            throw error
        }
        if row != nil { return .registered }
        let stored = try await device(id: deviceID)
        return stored?.approvalPasskey != nil ? .alreadyRegistered : .challengeRefused
    }

    private func credentialTaken(_ credentialID: String, by deviceID: String) async throws -> Bool {
        try await db.raw("""
            SELECT id FROM devices WHERE approval_credential_id = \(bind: credentialID) AND id <> \(bind: deviceID)
            """).first() != nil
    }

    public func recordApprovalPasskeyUse(deviceID: String, credentialID: String, expectedSignCount: Int64, signCount: Int64) async throws -> Bool {
        try await db.raw("""
            UPDATE devices SET approval_sign_count = \(bind: signCount)
            WHERE id = \(bind: deviceID) AND approval_credential_id = \(bind: credentialID) AND approval_sign_count = \(bind: expectedSignCount)
            RETURNING id
            """).first() != nil
    }
}
