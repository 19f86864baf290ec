import Foundation
import Synchronization
import TandemCore
import TandemServices

/// A push notifier that records what it was asked to send.
public final class RecordingPushNotifier: PushNotifier {
    public struct Delivery: Sendable, Equatable {
        public var offer: ChallengeOffer
        public var deviceIDs: [String]
    }
    public struct Withdrawal: Sendable, Equatable {
        public var challengeID: String
        public var reason: String
        public var deviceIDs: [String]
    }
    private let state = Mutex<([Delivery], [Withdrawal])>(([], []))

    public init() {}

    public var deliveries: [Delivery] { state.withLock { $0.0 } }
    public var withdrawals: [Withdrawal] { state.withLock { $0.1 } }

    public func deliver(_ offer: ChallengeOffer, to deviceIDs: [String]) async {
        state.withLock { $0.0.append(Delivery(offer: offer, deviceIDs: deviceIDs)) }
    }

    public func withdraw(challengeID: String, reason: String, from deviceIDs: [String]) async {
        state.withLock { $0.1.append(Withdrawal(challengeID: challengeID, reason: reason, deviceIDs: deviceIDs)) }
    }

    private let noticeState = Mutex<[(DeviceNotice, [String])]>([])

    /// The notices sent, with the devices they went to.
    public var notices: [(notice: DeviceNotice, deviceIDs: [String])] { noticeState.withLock { $0.map { ($0.0, $0.1) } } }

    public func notify(_ notice: DeviceNotice, to deviceIDs: [String]) async {
        noticeState.withLock { $0.append((notice, deviceIDs)) }
    }
}

/// Challenge events that never block: `wait` returns at once (tests advance the manual clock).
public final class ImmediateChallengeEvents: ChallengeEvents {
    private let changes = Mutex<[String]>([])
    public init() {}
    public var changed: [String] { changes.withLock { $0 } }
    public func changed(challengeID: String) async { changes.withLock { $0.append(challengeID) } }
    public func wait(challengeID: String, for seconds: TimeInterval) async {}
}

/// A fast, deterministic password hasher for tests (SHA-256 with a prefix). Never for production.
public struct PlainTestPasswordHasher: PasswordHasher {
    public init() {}
    public func hash(_ password: String) async throws -> String { "test$" + SecretDigest.of(password) }
    public func verify(_ password: String, against hash: String) async -> Bool {
        ConstantTime.equals(hash, "test$" + SecretDigest.of(password))
    }
    public func verifyDecoy(_ password: String) async { _ = await verify(password, against: "test$") }
}

/// A complete service environment over in-memory twins, for service tests.
public struct TestEnvironment: Sendable {
    public let storage = InMemoryStorage()
    public let push = RecordingPushNotifier()
    public let events = ImmediateChallengeEvents()
    public let clock = ManualClock()
    public let random: SeededRandomSource
    public let alerts = RecordingAlerts()
    public let env: ServiceEnvironment

    public init(seed: UInt64 = 42, settings: ServiceSettings = ServiceSettings(publicURL: "http://127.0.0.1:8080"),
                locator: any Locator = NoLocator()) {
        random = SeededRandomSource(seed: seed)
        env = ServiceEnvironment(storage: storage, push: push, events: events, passwords: PlainTestPasswordHasher(),
                                 clock: clock, random: random, settings: settings, locator: locator, alerts: alerts,
                                 revocation: GrantRevocation(storage: storage, clock: clock))
    }
}

/// Records administrator alerts.
public final class RecordingAlerts: AdminAlerts {
    private let sent = Mutex<[(String, [String: String])]>([])
    public init() {}
    public var alerts: [(event: String, details: [String: String])] { sent.withLock { $0.map { ($0.0, $0.1) } } }
    public func send(event: String, details: [String: String]) async { sent.withLock { $0.append((event, details)) } }
}

/// A locator from a fixed table of address prefixes to places.
public struct TableLocator: Locator {
    let table: [(prefix: String, place: Place)]
    public init(_ table: [(prefix: String, place: Place)]) { self.table = table }
    public func locate(_ ipAddress: String) async -> Place {
        table.first { ipAddress.hasPrefix($0.prefix) }?.place ?? .unknown
    }
}
