import Foundation

/// A registered passkey (a WebAuthn credential), Graph's `fido2AuthenticationMethod`.
public struct Passkey: Sendable, Equatable {
    /// Tandem's id for the method (UUID-shaped, the Graph object id).
    public var id: String
    public var userID: String
    /// The WebAuthn credential id, base64url (unique across the server).
    public var credentialID: String
    /// The COSE_Key, base64url, exactly as the authenticator sent it.
    public var publicKey: String
    /// The COSE algorithm (-7 ES256, -8 EdDSA, -257 RS256).
    public var algorithm: Int
    /// The last signature counter seen (0 for authenticators that do not count).
    public var signCount: Int64
    /// Lowercase UUID text; all zeros when the authenticator does not say.
    public var aaguid: String
    /// BE at registration: the passkey may be synced (it can never change afterwards).
    public var backupEligible: Bool
    /// BS at the last use: the passkey is backed up (synced) now.
    public var backedUp: Bool
    /// The attestation statement format at registration (`none`, `packed`).
    public var attestationFormat: String
    /// How the attestation was judged (`WebAuthnRelyingParty.AttestationType`: `none`, `self`,
    /// `basic`); `basic` is Graph's `attestationLevel: attested` (decision 0037).
    public var attestation: String
    /// What the browser said the authenticator can be reached over (`internal`, `hybrid`, `usb`, …).
    public var transports: [String]
    /// The name the user gave it.
    public var name: String
    public var createdAt: Date
    public var lastUsedAt: Date?

    public init(id: String, userID: String, credentialID: String, publicKey: String, algorithm: Int, signCount: Int64,
                aaguid: String, backupEligible: Bool, backedUp: Bool, attestationFormat: String, attestation: String = "none",
                transports: [String], name: String, createdAt: Date, lastUsedAt: Date? = nil) {
        self.id = id
        self.userID = userID
        self.credentialID = credentialID
        self.publicKey = publicKey
        self.algorithm = algorithm
        self.signCount = signCount
        self.aaguid = aaguid
        self.backupEligible = backupEligible
        self.backedUp = backedUp
        self.attestationFormat = attestationFormat
        self.attestation = attestation
        self.transports = transports
        self.name = name
        self.createdAt = createdAt
        self.lastUsedAt = lastUsedAt
    }

    /// Graph's `passkeyType`: a backup-eligible credential is synced, else device-bound.
    public var passkeyType: String { backupEligible ? "synced" : "deviceBound" }

    /// Graph's `attestationLevel`: `attested` only for a verified full attestation chain.
    public var attestationLevel: String { attestation == "basic" ? "attested" : "notAttested" }
}

/// A WebAuthn challenge the server issued: random (the injected CSPRNG), single use, expiring
/// by the server clock.
public struct PasskeyChallenge: Sendable, Equatable {
    /// What the challenge is for.
    public enum Purpose: String, Sendable {
        case registration, authentication
    }

    public var id: String
    /// The user registering, or `nil` for a sign-in that has not named its user (discoverable credentials).
    public var userID: String?
    public var purpose: Purpose
    /// The challenge bytes, base64url. Secret until used: never logged.
    public var challenge: String
    public var createdAt: Date
    public var expiresAt: Date

    public init(id: String, userID: String?, purpose: Purpose, challenge: String, createdAt: Date, expiresAt: Date) {
        self.id = id
        self.userID = userID
        self.purpose = purpose
        self.challenge = challenge
        self.createdAt = createdAt
        self.expiresAt = expiresAt
    }
}
