import Foundation
import Logging
import NIOCore
import NIOPosix
import PostgresNIO
import SQLKit
import Synchronization
import TandemCore

extension SQLStore {
    /// Connects to PostgreSQL through a connection pool (`PostgresClient`) and applies the
    /// migrations (serialised between instances by an advisory lock). `close()` stops the pool.
    ///
    /// Fails with a clear error, within `connectTimeout`, when the server cannot be reached or
    /// refuses the credentials.
    public static func openPostgres(url: String, migrate: Bool = true, connectTimeout: Duration = .seconds(15),
                                    logger requested: Logger = Logger(label: "tandem.store")) async throws -> SQLStore {
        let logger = requested.forDatabaseDriver  // PostgresNIO's trace level prints every message
        let parsed = try PostgresURL(url)
        var configuration = parsed.configuration
        configuration.options.connectTimeout = connectTimeout
        var background = logger  // the pool reports each failed connection attempt at info
        background.logLevel = max(logger.logLevel, .warning)
        let client = PostgresClient(configuration: configuration, backgroundLogger: background)
        let started = StartFlag()
        let running = Task {
            started.set()
            await client.run()
        }
        while !started.isSet { await Task.yield() }  // so the first query finds the pool running
        let database = PostgresClientDatabase(client: client, logger: logger,
                                              eventLoop: MultiThreadedEventLoopGroup.singleton.any())
        let store = SQLStore(database: database, postgres: PostgresHandle(client: client, schema: parsed.schema)) {
            running.cancel()
            await running.value
        }
        do {
            try await withDeadline(connectTimeout, "cannot reach PostgreSQL at \(parsed.redacted)") {
                try await database.raw("SELECT 1 AS ok").run()
            }
            if migrate { try await store.migrate() }
        } catch {
            try? await store.close()
            throw error
        }
        return store
    }
}

/// Set once a task has started.
final class StartFlag: Sendable {
    private let value = Atomic<Bool>(false)
    func set() { value.store(true, ordering: .releasing) }
    var isSet: Bool { value.load(ordering: .acquiring) }
}

/// What the PostgreSQL store keeps beside its `SQLDatabase`: the pool (for LISTEN/NOTIFY) and the schema.
struct PostgresHandle: Sendable {
    let client: PostgresClient
    let schema: String?
}

/// Runs `body`, throwing `TandemError(.unavailable)` with `message` when it takes longer than `limit`.
func withDeadline<T: Sendable>(_ limit: Duration, _ message: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next(), let value = first else {
            throw TandemError(.unavailable, message)
        }
        return value
    }
}
