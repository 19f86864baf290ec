import Foundation

/// Why a push challenge was created.
public enum ChallengeKind: String, Codable, Sendable, CaseIterable {
    /// Second factor after a password.
    case mfa
    /// Passwordless phone sign-in: answered with the phone sign-in key.
    case passwordless
    /// The first push that confirms a newly added authenticator.
    case registration
}

/// Where a challenge is in its life. Only `pending` can be answered; only `approved` can be redeemed.
public enum ChallengeState: String, Codable, Sendable, CaseIterable {
    case pending, approved, denied, expired, reported, withdrawn, redeemed

    /// Whether no further event can change this state, except redeeming an approval.
    public var isFinal: Bool { self != .pending && self != .approved }
}

/// The reason a challenge left `pending` other than by approval.
public enum ChallengeReason: String, Codable, Sendable {
    case userDenied, wrongNumber, timedOut, superseded, answeredElsewhere, cancelled, reportedFraud
}

/// What the authenticator is told about who asks and from where.
public struct ChallengeContext: Codable, Sendable, Equatable {
    /// The application the user signs in to.
    public var application: String
    /// The browser's IP address as the server saw it.
    public var ipAddress: String
    /// A human-readable location ("Unknown location" when none is known).
    public var location: String
    /// The browser, from its User-Agent.
    public var browser: String
    /// CIBA's `binding_message`: text the application shows too, so the person can tell the
    /// request in front of them from another. Absent outside CIBA; always shown by the phone.
    public var bindingMessage: String?
    /// The OIDC client id (Graph's `appId`) of the application, for the sign-in log; nil for
    /// Tandem's own pages. The server's alone: never sent to the phone, not kept with the challenge
    /// (it is not one of the coded keys; docs/decisions/0032-application-context.md).
    public var applicationID: String? = nil

    private enum CodingKeys: String, CodingKey {
        case application, ipAddress, location, browser, bindingMessage
    }

    public init(application: String, ipAddress: String, location: String, browser: String, bindingMessage: String? = nil) {
        self.application = application
        self.ipAddress = ipAddress
        self.location = location
        self.browser = browser
        self.bindingMessage = bindingMessage
    }
}

/// A push challenge: the number a person must carry from the browser to their phone.
public struct Challenge: Sendable, Equatable {
    /// Random identifier, 128 bits base64url.
    public var id: String
    public var userID: String
    public var kind: ChallengeKind
    /// The number shown in the browser. Secret: never logged, never sent to the device.
    public var number: String
    /// Random nonce (256 bits base64url) that the device signs with its answer.
    public var nonce: String
    public var context: ChallengeContext
    public var createdAt: Date
    /// Decided by the server clock only.
    public var expiresAt: Date
    public var state: ChallengeState
    public var reason: ChallengeReason?
    /// For `registration` challenges: the only device that may answer.
    public var targetDeviceID: String?
    public var answeredBy: String?
    public var answeredAt: Date?
    /// For the choose-from-three presentation: three numbers, one of them `number`, in display order.
    public var choices: [String]?
    /// The sign-in attempt this request belongs to (for the sign-in log).
    public var signInID: String?
    /// Not pushed with a sound (unfamiliar location): only listed when the app opens.
    public var suppressed: Bool

    public init(
        id: String, userID: String, kind: ChallengeKind, number: String, nonce: String,
        context: ChallengeContext, createdAt: Date, expiresAt: Date,
        state: ChallengeState = .pending, reason: ChallengeReason? = nil,
        targetDeviceID: String? = nil, answeredBy: String? = nil, answeredAt: Date? = nil, choices: [String]? = nil,
        signInID: String? = nil, suppressed: Bool = false
    ) {
        self.id = id
        self.userID = userID
        self.kind = kind
        self.number = number
        self.nonce = nonce
        self.context = context
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.state = state
        self.reason = reason
        self.targetDeviceID = targetDeviceID
        self.answeredBy = answeredBy
        self.answeredAt = answeredAt
        self.choices = choices
        self.signInID = signInID
        self.suppressed = suppressed
    }

    /// Creates a fresh pending challenge with random id, nonce and number.
    public static func make(
        userID: String, kind: ChallengeKind, context: ChallengeContext, digits: Int,
        previousNumber: String?, lifetime: TimeInterval, now: Date, random: some RandomSource,
        targetDeviceID: String? = nil, chooseFromThree: Bool = false
    ) -> Challenge {
        var challenge = Challenge(
            id: random.identifier(byteCount: 16),
            userID: userID,
            kind: kind,
            number: NumberMatch.draw(digits: digits, previous: previousNumber, random: random),
            nonce: random.identifier(byteCount: 32),
            context: context,
            createdAt: now,
            expiresAt: now.addingTimeInterval(lifetime),
            targetDeviceID: targetDeviceID
        )
        if chooseFromThree {
            var choices = [challenge.number]
            while choices.count < 3 {
                let decoy = NumberMatch.draw(digits: digits, previous: nil, random: random)
                if !choices.contains(decoy) { choices.append(decoy) }
            }
            // Shuffle (Fisher–Yates) so the right number's position says nothing.
            for i in stride(from: 2, to: 0, by: -1) {
                choices.swapAt(i, Int(random.uniform(below: UInt64(i + 1))))
            }
            challenge.choices = choices
        }
        return challenge
    }
}
