import Foundation
import Logging
import PostgresNIO
import TandemCore
import TandemServices

/// `InstanceBus` over PostgreSQL `LISTEN/NOTIFY`: one channel per database (and schema), JSON
/// payloads stamped with the sender's id so an instance ignores its own messages.
///
/// `NOTIFY` payloads are limited to 8000 bytes; a delivery whose offer would not fit travels
/// without it and the receiver reads the request from the store.
public struct PostgresInstanceBus: InstanceBus {
    /// This instance's id (random per process).
    public let instanceID: String
    let client: PostgresClient
    let channel: String
    let logger: Logger

    init(client: PostgresClient, schema: String?, logger: Logger) {
        self.client = client
        self.channel = schema.map { "tandem_bus_\($0.prefix(50))" } ?? "tandem_bus"
        self.instanceID = UUID().uuidString
        self.logger = logger
    }

    struct Envelope: Codable {
        var from: String
        var message: InstanceMessage
    }

    static let payloadLimit = 7900

    public func publish(_ message: InstanceMessage) async {
        do {
            var payload = try encode(message)
            if payload.utf8.count > Self.payloadLimit, case .deliver(let id, _, let devices) = message {
                payload = try encode(.deliver(challengeID: id, offer: nil, deviceIDs: devices))
            }
            guard payload.utf8.count <= Self.payloadLimit else {
                logger.warning("instance message too large to notify", metadata: ["tandem.bytes": "\(payload.utf8.count)"])
                return
            }
            let rows = try await client.query("SELECT pg_notify(\(channel), \(payload))", logger: logger)
            for try await _ in rows {}
        } catch {
            logger.warning("could not notify the other instances", metadata: ["tandem.error": "\(String(reflecting: error))"])
        }
    }

    private func encode(_ message: InstanceMessage) throws -> String {
        String(decoding: try WireCoding.encoder().encode(Envelope(from: instanceID, message: message)), as: UTF8.self)
    }

    public func listen(onListening: @escaping @Sendable () async -> Void,
                       _ receive: @escaping @Sendable (InstanceMessage) async -> Void) async {
        let decoder = WireCoding.decoder()
        var failures = 0
        while !Task.isCancelled {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notifications in
                        failures = 0
                        await onListening()
                        for try await notification in notifications {
                            guard let envelope = try? decoder.decode(Envelope.self, from: Data(notification.payload.utf8)) else {
                                logger.debug("ignored an instance message that does not decode")
                                continue
                            }
                            if envelope.from != instanceID { await receive(envelope.message) }
                        }
                    }
                }
            } catch {
                if Task.isCancelled { break }
                logger.warning("instance bus connection lost; listening again", metadata: ["tandem.error": "\(String(reflecting: error))"])
            }
            if Task.isCancelled { break }
            failures += 1
            try? await Task.sleep(for: .milliseconds(min(5000, 100 * (1 << min(failures, 6)))))
        }
    }
}

extension SQLStore {
    /// The channel to the other instances on the same PostgreSQL database; nil on SQLite (one process).
    public func makeInstanceBus(logger: Logger = Logger(label: "tandem.bus")) -> (any InstanceBus)? {
        postgres.map { PostgresInstanceBus(client: $0.client, schema: $0.schema, logger: logger) }
    }
}
