import Crypto
import Foundation
import TandemCore
import TandemServices

/// Whether the signing keys in the store open with the configured secret key (issue 17, item 7;
/// decision 0018). A database restored without its secret key used to start silently with new
/// keys, invalidating every token; `tandem serve` now refuses, unless the operator asks to
/// rotate (`--rotate-keys-if-unreadable`), which removes the unreadable keys so new ones are made.
public enum StoredKeyCheck {
    /// The purposes whose keys are sealed with the secret key: OIDC signing, admin tokens and VAPID (Web Push).
    static let purposes = [OIDCKeyRing.purpose, OIDCKeyRing.rsaPurpose, AdminTokens.purpose, VAPIDKeys.purpose]

    /// The sealed keys `secretKey` cannot open (keys stored unsealed by an old version are the
    /// admin key ring's to replace, and are not counted).
    public static func unreadableKeys(storage: any TandemStorage, secretKey: String) async throws -> [StoredSigningKey] {
        let box = OIDCSecretBox(secret: secretKey)
        var unreadable: [StoredSigningKey] = []
        for purpose in purposes {
            for stored in try await storage.signingKeys(purpose: purpose) where stored.privateKey.hasPrefix("v1.") {
                let opened = purpose == OIDCKeyRing.rsaPurpose
                    ? OIDCKeyRing.open(stored, purpose: purpose, box: box) != nil
                    : box.open(stored.privateKey, context: "\(purpose)|\(stored.kid)").flatMap { try? P256.Signing.PrivateKey(rawRepresentation: $0) } != nil
                if !opened { unreadable.append(stored) }
            }
        }
        return unreadable
    }

    /// Removes `keys` and records it in the audit log, in one transaction; the key rings make new
    /// keys on first use. Every token signed with the old keys stops working.
    public static func rotate(_ keys: [StoredSigningKey], storage: any TandemStorage, random: any RandomSource, clock: any TandemClock) async throws {
        let entry = AuditEntry(id: random.identifier(), activityAt: clock.now(), category: "Policy",
                               activity: "Replace signing keys that cannot be opened with the secret key", operationType: "Delete",
                               initiatedByID: nil, initiatedByName: "tandem (command line)", targetType: "Policy", targetID: "signingKeys",
                               targetName: "Signing keys", property: "kid", oldValue: keys.map(\.kid).joined(separator: ","))
        try await storage.transaction { tx in
            for key in keys { try await tx.deleteSigningKey(kid: key.kid) }
            try await tx.insertAudit(entry)
        }
    }
}
