import Foundation
import TandemCore

/// The settings the use cases read. Built from `TandemConfiguration` by the server.
public struct ServiceSettings: Sendable {
    /// How long a push request can be answered (server clock). Default 2 minutes; 5 s to 10 min.
    public var challengeLifetime: TimeInterval
    /// Digits of the number (2 by default, like Entra; 6+ is the NIST SP 800-63B-4 mode).
    public var numberDigits: Int
    /// How long a browser's sign-in flow lives.
    public var flowLifetime: TimeInterval
    /// How long a signed-in session lives.
    public var sessionLifetime: TimeInterval
    /// How long an activation code can be redeemed (10 minutes).
    public var activationLifetime: TimeInterval
    /// Accepted distance between a signed request's time and the server clock.
    public var requestTimeSkew: TimeInterval
    /// The URL browsers and authenticators reach the server at, without a trailing slash.
    public var publicURL: String
    /// The name shown to the authenticator as the application.
    public var applicationName: String
    /// The roots a passkey's `packed` full attestation must chain to (`--fido2-attestation-roots`,
    /// decision 0037); none: enforced attestation refuses every registration.
    public var attestationRoots = AttestationTrustAnchors()

    public init(challengeLifetime: TimeInterval = 120, numberDigits: Int = NumberMatch.defaultDigits,
                flowLifetime: TimeInterval = 900, sessionLifetime: TimeInterval = 8 * 3600,
                activationLifetime: TimeInterval = 600, requestTimeSkew: TimeInterval = 300,
                publicURL: String, applicationName: String = "Tandem") {
        self.challengeLifetime = challengeLifetime
        self.numberDigits = numberDigits
        self.flowLifetime = flowLifetime
        self.sessionLifetime = sessionLifetime
        self.activationLifetime = activationLifetime
        self.requestTimeSkew = requestTimeSkew
        self.publicURL = publicURL
        self.applicationName = applicationName
    }
}

/// What the services share: storage, push, events, clock, randomness, settings, logger.
public struct ServiceEnvironment: Sendable {
    public var storage: any TandemStorage
    public var push: any PushNotifier
    public var events: any ChallengeEvents
    public var passwords: any PasswordHasher
    public var clock: any TandemClock
    public var random: any RandomSource
    public var settings: ServiceSettings
    /// Counters for `/metrics`.
    public var metrics: any SignInMetrics
    /// Where an IP address is (named networks, country database).
    public var locator: any Locator
    /// Alerts to administrators (webhook).
    public var alerts: any AdminAlerts
    /// Revocation of tokens beyond browser sessions.
    public var revocation: any TokenRevocation
    /// The trace contexts that tie a push request's answer to its sign-in (decision 0029).
    public var traces: ChallengeTraces
    /// Seals secrets kept at rest under the server's secret key (verification-code secrets,
    /// decision 0027). `nil` (offline commands, fast tests): new secrets are stored as given.
    public var sealer: (any RadiusSealer)? = nil

    public init(storage: any TandemStorage, push: any PushNotifier, events: any ChallengeEvents,
                passwords: any PasswordHasher, clock: any TandemClock, random: any RandomSource,
                settings: ServiceSettings, metrics: any SignInMetrics = NoSignInMetrics(), locator: any Locator = NoLocator(),
                alerts: any AdminAlerts = NoAlerts(), revocation: any TokenRevocation = NoTokenRevocation(),
                traces: ChallengeTraces = ChallengeTraces()) {
        self.storage = storage
        self.push = push
        self.events = events
        self.passwords = passwords
        self.clock = clock
        self.random = random
        self.settings = settings
        self.metrics = metrics
        self.locator = locator
        self.alerts = alerts
        self.revocation = revocation
        self.traces = traces
    }
}
