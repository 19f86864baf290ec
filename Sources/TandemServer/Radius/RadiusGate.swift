import Foundation
import Logging
import Prometheus
import Synchronization
import TandemCore
import TandemServices

/// What happens to one datagram before the sign-in sees it, in order: a packet from an address
/// no registered client covers is dropped silently (no log line per packet, only a count); a
/// malformed one, a code other than Access-Request, and one without a right
/// Message-Authenticator (a missing one, a wrong one, a wrong shared secret: Blast-RADIUS,
/// CVE-2024-3596) are dropped and counted; a retransmission (same client, identifier and
/// Request Authenticator within 30 s) gets the first answer again and never a second push.
/// The rest go to `RadiusSignInService`, whose reply is signed here.
public final class RadiusGate: Sendable {
    let registry: RadiusClientRegistry
    let signIn: RadiusSignInService
    let replies: RadiusReplyCache
    let logger: Logger
    let counters: Mutex<[String: Int]> = Mutex([:])
    let dropped: @Sendable (String) -> Void

    /// Why a datagram was dropped (the `reason` label of `tandem_radius_dropped_total`).
    public enum Drop: String, CaseIterable, Sendable {
        case unknownClient = "unknown_client"
        case malformed
        case unsupportedCode = "unsupported_code"
        case messageAuthenticator = "message_authenticator"
    }

    public init(registry: RadiusClientRegistry, signIn: RadiusSignInService, clock: any TandemClock, logger: Logger,
                metrics: PrometheusCollectorRegistry? = nil) {
        self.registry = registry
        self.signIn = signIn
        self.replies = RadiusReplyCache(clock: clock)
        self.logger = logger
        let counters = Dictionary(uniqueKeysWithValues: Drop.allCases.map {
            ($0.rawValue, metrics?.makeCounter(name: "tandem_radius_dropped_total", labels: [("reason", $0.rawValue)],
                                                help: "RADIUS datagrams dropped unanswered, by reason."))
        })
        dropped = { reason in counters[reason]??.increment() }
    }

    /// How many datagrams were dropped for `reason` since the start.
    public func droppedCount(_ reason: Drop) -> Int { counters.withLock { $0[reason.rawValue] ?? 0 } }

    func drop(_ reason: Drop, client: RadiusClient? = nil) -> [UInt8]? {
        counters.withLock { $0[reason.rawValue, default: 0] += 1 }
        dropped(reason.rawValue)
        if let client { logger.notice("RADIUS packet dropped", metadata: ["tandem.radiusClient": "\(client.id)", "tandem.reason": "\(reason.rawValue)"]) }
        return nil
    }

    /// The reply datagram for `datagram` from `address`, or `nil` to stay silent.
    public func answer(_ datagram: [UInt8], from address: String) async -> [UInt8]? {
        let found: (client: RadiusClient, secret: [UInt8])?
        do {
            found = try await registry.client(from: address)
        } catch {
            logger.error("RADIUS clients could not be read", metadata: ["tandem.error": "\(type(of: error))"])
            return nil
        }
        guard let (client, secret) = found else { return drop(.unknownClient) }
        guard let request = try? RadiusPacket.decode(datagram) else { return drop(.malformed, client: client) }
        guard request.code == .accessRequest else { return drop(.unsupportedCode, client: client) }
        guard request.hasValidMessageAuthenticator(secret: secret) else { return drop(.messageAuthenticator, client: client) }
        let key = RadiusReplyCache.Key(client: client.id, identifier: request.identifier, authenticator: request.authenticator)
        return await replies.reply(for: key) {
            let reply = await self.signIn.handle(request, from: client, secret: secret, sourceAddress: address)
            return RadiusPacket.reply(to: request, code: reply.code, attributes: reply.attributes, secret: secret)
        }
    }
}

/// The answers of the last 30 seconds by (client, identifier, Request Authenticator): a
/// retransmission, even one arriving while the first is still being answered, waits for and gets
/// the same reply, so it never starts a second sign-in or push.
actor RadiusReplyCache {
    struct Key: Hashable, Sendable {
        var client: String
        var identifier: UInt8
        var authenticator: [UInt8]
    }

    static let lifetime: TimeInterval = 30
    let clock: any TandemClock
    var entries: [Key: (task: Task<[UInt8], Never>, at: Date)] = [:]

    init(clock: any TandemClock) { self.clock = clock }

    func reply(for key: Key, make: @escaping @Sendable () async -> [UInt8]) async -> [UInt8] {
        let now = clock.now()
        if entries.count > 256 { entries = entries.filter { now.timeIntervalSince($0.value.at) < Self.lifetime } }
        if let entry = entries[key], now.timeIntervalSince(entry.at) < Self.lifetime { return await entry.task.value }
        let task = Task { await make() }
        entries[key] = (task, now)
        return await task.value
    }
}
