import Foundation

/// The server's clock. Expiry is always decided by it.
public protocol TandemClock: Sendable {
    func now() -> Date
}

/// The real clock.
public struct SystemClock: TandemClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// The CSPRNG: the operating system's generator (getrandom on Linux) through `SystemRandomNumberGenerator`.
public struct SystemRandomSource: RandomSource {
    public init() {}
    public func bytes(_ count: Int) -> [UInt8] {
        // Eight bytes per call of the generator (one getrandom each), not one.
        var generator = SystemRandomNumberGenerator()
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = generator.next()
            withUnsafeBytes(of: &word) { raw in
                for byte in raw where index < count {
                    bytes[index] = byte
                    index += 1
                }
            }
        }
        return bytes
    }
}

/// Password hashing (bcrypt in production), run off the event loop by the implementation.
public protocol PasswordHasher: Sendable {
    func hash(_ password: String) async throws -> String
    func verify(_ password: String, against hash: String) async -> Bool
    /// Spends the time of one verification, for unknown users, so timing does not tell who exists.
    func verifyDecoy(_ password: String) async
}

/// Sends requests to connected authenticators and withdraws them.
public protocol PushNotifier: Sendable {
    /// Delivers `offer` to whichever of `deviceIDs` are connected; the others fetch it on connect.
    func deliver(_ offer: ChallengeOffer, to deviceIDs: [String]) async
    /// Tells connected devices that a request is no longer answerable.
    func withdraw(challengeID: String, reason: String, from deviceIDs: [String]) async
    /// Closes a removed device's channels.
    func disconnect(deviceID: String) async
    /// Tells connected devices about a change to another authenticator of their user; the
    /// others find the notice in the store when they connect or list.
    func notify(_ notice: DeviceNotice, to deviceIDs: [String]) async
}

extension PushNotifier {
    public func disconnect(deviceID: String) async {}
    public func notify(_ notice: DeviceNotice, to deviceIDs: [String]) async {}
}

/// Wakes browsers waiting for a challenge to change.
public protocol ChallengeEvents: Sendable {
    /// Signals that a challenge changed state.
    func changed(challengeID: String) async
    /// Returns when the challenge changes or `seconds` pass, whichever comes first. The port
    /// counts a duration, never an instant: instants are the server clock's (`TandemClock`), so a
    /// wait can't mix the wall clock with the injected one (issue 11).
    func wait(challengeID: String, for seconds: TimeInterval) async
}

extension ChallengeEvents {
    /// Waits until `deadline` as `clock` tells it (the server's clock).
    public func wait(challengeID: String, until deadline: Date, on clock: any TandemClock) async {
        let seconds = deadline.timeIntervalSince(clock.now())
        guard seconds > 0 else { return }
        await wait(challengeID: challengeID, for: seconds)
    }
}

/// Where an IP address is: a named network, a country from an offline database, or unknown.
public struct Place: Sendable, Equatable {
    /// What the authenticator and the sign-in log show ("Head office, Berlin", "DE", "Unknown location").
    public var displayName: String
    /// ISO 3166 country code when known.
    public var country: String?
    /// The named location the address is in, if any.
    public var namedLocationID: String?

    public init(displayName: String, country: String? = nil, namedLocationID: String? = nil) {
        self.displayName = displayName
        self.country = country
        self.namedLocationID = namedLocationID
    }

    public static let unknown = Place(displayName: "Unknown location")
}

/// Looks an IP address up (named networks first, then the country database).
public protocol Locator: Sendable {
    func locate(_ ipAddress: String) async -> Place
}

/// No locator: every address is an unknown location.
public struct NoLocator: Locator {
    public init() {}
    public func locate(_ ipAddress: String) async -> Place { .unknown }
}

/// Tells administrators about something that needs them (a "No, it's not me" report).
public protocol AdminAlerts: Sendable {
    func send(event: String, details: [String: String]) async
}

/// No alerts configured.
public struct NoAlerts: AdminAlerts {
    public init() {}
    public func send(event: String, details: [String: String]) async {}
}

/// Revokes a user's tokens beyond browser sessions (OIDC refresh tokens), when a provider exists.
public protocol TokenRevocation: Sendable {
    func revokeAll(userID: String) async throws
}

/// Nothing to revoke.
public struct NoTokenRevocation: TokenRevocation {
    public init() {}
    public func revokeAll(userID: String) async throws {}
}
