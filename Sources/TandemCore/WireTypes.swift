import Foundation

/// A sign-in request as the authenticator sees it. It never carries the number.
public struct ChallengeOffer: Codable, Sendable, Equatable {
    public var id: String
    public var kind: ChallengeKind
    public var nonce: String
    public var userPrincipalName: String
    public var displayName: String
    public var context: ChallengeContext
    public var createdAt: Date
    public var expiresAt: Date
    /// Choose-from-three presentation: the three numbers to offer (one is right). Absent when the
    /// user types the number.
    public var choices: [String]?

    public init(id: String, kind: ChallengeKind, nonce: String, userPrincipalName: String, displayName: String,
                context: ChallengeContext, createdAt: Date, expiresAt: Date, choices: [String]? = nil) {
        self.id = id
        self.kind = kind
        self.nonce = nonce
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.context = context
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.choices = choices
    }
}

/// `POST /device/v1/activate`: redeem an activation code and register a device.
public struct ActivationRequest: Codable, Sendable {
    public var code: String
    public var deviceName: String
    public var appVersion: String
    /// Channel key (base64url X9.63): opens the push channel, lists, denies and reports.
    public var deviceKey: String
    /// Approval key (base64url X9.63): PIN-protected on the device, signs approvals of MFA pushes.
    /// Required unless `platform` is `web`; a web authenticator has none (its approvals carry a
    /// WebAuthn assertion of its approval passkey instead, protocol version 3).
    public var approvalKey: String?
    /// `web` for the web authenticator (`/authenticator/`); absent for an app with an approval key.
    public var platform: String?

    public init(code: String, deviceName: String, appVersion: String, deviceKey: String, approvalKey: String?, platform: String? = nil) {
        self.code = code
        self.deviceName = deviceName
        self.appVersion = appVersion
        self.deviceKey = deviceKey
        self.approvalKey = approvalKey
        self.platform = platform
    }
}

/// The answer to an activation: who the device now belongs to.
public struct ActivationResponse: Codable, Sendable {
    public var deviceId: String
    public var userId: String
    public var userPrincipalName: String
    public var displayName: String
    /// The verification-code (software OATH) secret for this device: base32, unpadded, 20 bytes;
    /// the codes are TOTP SHA-1, 6 digits, 30 s. Present only when the policy allows software
    /// OATH for the user; the device keeps it and shows codes (`TOTP`). A secret: never logged.
    public var totpSecret: String?
    /// For a web authenticator only: what `navigator.credentials.create()` needs to make the
    /// device's approval passkey (`POST /device/v1/approval-passkey`).
    public var approvalPasskey: ApprovalPasskeyOptions?

    public init(deviceId: String, userId: String, userPrincipalName: String, displayName: String, totpSecret: String? = nil,
                approvalPasskey: ApprovalPasskeyOptions? = nil) {
        self.deviceId = deviceId
        self.userId = userId
        self.userPrincipalName = userPrincipalName
        self.displayName = displayName
        self.totpSecret = totpSecret
        self.approvalPasskey = approvalPasskey
    }
}

/// `POST /device/v1/challenges/{id}/answer`.
public struct AnswerRequest: Codable, Sendable {
    public var deviceId: String
    public var decision: AnswerDecision
    public var number: String?
    /// Base64url raw ECDSA signature over `SignedBytes.answer(...)`.
    public var signature: String
    /// A web authenticator's approval: a WebAuthn assertion of its approval passkey whose
    /// challenge is the SHA-256 of the same answer bytes. Required for `approve` from a web
    /// device; ignored otherwise.
    public var assertion: WebAuthnAssertion?

    public init(deviceId: String, decision: AnswerDecision, number: String?, signature: String, assertion: WebAuthnAssertion? = nil) {
        self.deviceId = deviceId
        self.decision = decision
        self.number = number
        self.signature = signature
        self.assertion = assertion
    }
}

/// The server's verdict on an answer.
public struct AnswerResponse: Codable, Sendable {
    public var challengeId: String
    public var state: ChallengeState
    public var reason: ChallengeReason?

    public init(challengeId: String, state: ChallengeState, reason: ChallengeReason?) {
        self.challengeId = challengeId
        self.state = state
        self.reason = reason
    }
}

/// `GET /device/v1/pending`.
public struct PendingResponse: Codable, Sendable {
    public var requests: [ChallengeOffer]
    public init(requests: [ChallengeOffer]) { self.requests = requests }
}

/// `GET /device/v1/notices`: changes to the user's other authenticators not given to this device
/// before (each notice is handed out once, here or on the push channel).
public struct NoticesResponse: Codable, Sendable {
    public var notices: [DeviceNotice]
    public init(notices: [DeviceNotice]) { self.notices = notices }
}

/// `POST /device/v1/phone-sign-in`: turn on passwordless phone sign-in with a new key.
///
/// Both signatures are over `SignedBytes.keyChange(deviceID:nonce:change: .phoneSignIn, publicKey:)`:
/// `approvalSignature` by the device's PIN-protected approval key (so the channel key alone cannot
/// add a key), `proof` by the new key (possession). `nonce` comes from
/// `POST /device/v1/key-change-nonce` and works once.
public struct PhoneSignInRequest: Codable, Sendable {
    /// The phone sign-in key (base64url X9.63), PIN-protected on the device.
    public var publicKey: String
    /// The single-use key-change nonce the server issued to this device.
    public var nonce: String
    /// Signature by the new key over the key-change bytes.
    public var proof: String
    /// Signature by the device's approval key over the same bytes.
    public var approvalSignature: String

    public init(publicKey: String, nonce: String, proof: String, approvalSignature: String) {
        self.publicKey = publicKey
        self.nonce = nonce
        self.proof = proof
        self.approvalSignature = approvalSignature
    }
}

/// The answer to `POST /device/v1/key-change-nonce`: a single-use nonce for one key change.
public struct KeyChangeNonceResponse: Codable, Sendable, Equatable {
    /// 32 random bytes, base64url. Works once, for this device only, until `expiresAt`.
    public var nonce: String
    /// Decided by the server's clock.
    public var expiresAt: Date

    public init(nonce: String, expiresAt: Date) {
        self.nonce = nonce
        self.expiresAt = expiresAt
    }
}

/// What a device is told about a change to its user's other authenticators ("phone sign-in was
/// turned on on Bob's iPhone"), over the push channel (`notice`) or from `GET /device/v1/notices`.
public struct DeviceNotice: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// An authenticator was added and confirmed.
        case authenticatorAdded
        /// Phone sign-in was turned on (or its key replaced) on an authenticator.
        case phoneSignInEnabled
        /// Phone sign-in was turned off on an authenticator.
        case phoneSignInDisabled
    }

    public var id: String
    public var kind: Kind
    /// The authenticator that changed.
    public var deviceId: String
    public var deviceName: String
    public var at: Date

    public init(id: String, kind: Kind, deviceId: String, deviceName: String, at: Date) {
        self.id = id
        self.kind = kind
        self.deviceId = deviceId
        self.deviceName = deviceName
        self.at = at
    }
}

/// A message on the device's push channel (WebSocket, JSON text frames).
public struct ChannelMessage: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable {
        /// server → device: the nonce to sign.
        case hello
        /// device → server: `deviceId` and `signature` over `SignedBytes.connect`.
        case auth
        /// server → device: authenticated; requests follow.
        case ready
        /// server → device: a sign-in request (`request`).
        case request
        /// server → device: a request is no longer answerable (`challengeId`, `reason`).
        case withdrawn
        /// server → device: the channel is refused (`error`).
        case error
        /// server → device: another authenticator of the user changed (`notice`).
        case notice
    }

    public var type: Kind
    public var nonce: String?
    public var deviceId: String?
    public var signature: String?
    public var request: ChallengeOffer?
    public var challengeId: String?
    public var reason: String?
    public var error: String?
    public var notice: DeviceNotice?

    public init(type: Kind, nonce: String? = nil, deviceId: String? = nil, signature: String? = nil,
                request: ChallengeOffer? = nil, challengeId: String? = nil, reason: String? = nil, error: String? = nil,
                notice: DeviceNotice? = nil) {
        self.type = type
        self.nonce = nonce
        self.deviceId = deviceId
        self.signature = signature
        self.request = request
        self.challengeId = challengeId
        self.reason = reason
        self.error = error
        self.notice = notice
    }
}

/// The JSON error body every API answers with (Graph's shape): `{"error":{"code":…,"message":…}}`.
public struct ErrorBody: Codable, Sendable {
    public struct Detail: Codable, Sendable {
        public var code: String
        public var message: String
        /// Only with `code` `clockSkew`: the server's clock, Unix seconds (decision 0028).
        public var serverTime: Int64?
    }
    public var error: Detail

    public init(code: String, message: String, serverTime: Int64? = nil) {
        self.error = Detail(code: code, message: message, serverTime: serverTime)
    }
}

/// The JSON coders used on the wire: ISO 8601 dates.
public enum WireCoding {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
