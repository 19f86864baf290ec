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
                                    queryTimeout: Duration = .seconds(5), maximumConnections: Int? = nil,
                                    logger requested: Logger = Logger(label: "tandem.store")) async throws -> SQLStore {
        let logger = requested.forDatabaseDriver  // PostgresNIO's trace level prints every message
        let parsed = try PostgresURL(url)
        var configuration = parsed.configuration
        configuration.options.connectTimeout = connectTimeout
        if let maximumConnections { configuration.options.maximumConnections = maximumConnections }
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
                                              eventLoop: MultiThreadedEventLoopGroup.singleton.any(), queryTimeout: queryTimeout)
        let store = SQLStore(database: database, postgres: PostgresHandle(client: client, schema: parsed.schema, queryTimeout: queryTimeout)) {
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
    var queryTimeout: Duration = .seconds(5)
}

enum LeaseEvent<T: Sendable>: Sendable { case done(T), timer }

/// Runs `body`, throwing `TandemError(.unavailable)` with `message` unless `leased` is set within
/// `limit` (a transaction waiting for its connection; once it has one, its statements have their
/// own deadlines and the body runs to its end).
func withLeaseDeadline<T: Sendable>(_ limit: Duration, leased: StartFlag, _ message: String,
                                    _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    return try await withThrowingTaskGroup(of: LeaseEvent<T>.self) { group in
        group.addTask { .done(try await body()) }
        group.addTask {
            try await Task.sleep(for: limit)
            return .timer
        }
        defer { group.cancelAll() }
        while let event = try await group.next() {
            switch event {
            case .done(let value): return value
            case .timer where !leased.isSet: throw TandemError(.unavailable, message)
            case .timer: continue
            }
        }
        throw TandemError(.unavailable, message)
    }
}

/// Runs `body`, throwing `TandemError(.unavailable)` with `message` when it takes longer than `limit`.
///
/// The caller gets its answer at the deadline even when `body` does not end when cancelled (a
/// PostgreSQL query in flight, a statement on a closed connection): `body` runs in a task of its
/// own, cancelled at the deadline, and is not waited for. (A task group would have waited for it.)
func withDeadline<T: Sendable>(_ limit: Duration, _ message: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let outcome = DeadlineOutcome<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            outcome.start(continuation)
            let work = Task {
                let result: Result<T, any Error>
                do { result = .success(try await body()) } catch { result = .failure(error) }
                outcome.finish(result)
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                if !Task.isCancelled, outcome.finish(.failure(TandemError(.unavailable, message))) { work.cancel() }
            }
            outcome.onFinish { work.cancel(); timer.cancel() }
        }
    } onCancel: {
        outcome.finish(.failure(CancellationError()))
    }
}

/// The one answer of `withDeadline`: the first of the body's result, the deadline and cancellation.
final class DeadlineOutcome<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var done = false
        var cleanup: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let early: Result<T, any Error>? = state.withLock { state in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let early { continuation.resume(with: early) }
    }

    /// Runs `cleanup` once an answer is given (at once when it already was).
    func onFinish(_ cleanup: @escaping @Sendable () -> Void) {
        let now = state.withLock { state in
            if state.done { return true }
            state.cleanup = cleanup
            return false
        }
        if now { cleanup() }
    }

    /// Gives `result` as the answer unless one was given; whether it was this one.
    @discardableResult
    func finish(_ result: Result<T, any Error>) -> Bool {
        let (won, continuation, cleanup) = state.withLock { state -> (Bool, CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !state.done else { return (false, nil, nil) }
            state.done = true
            if state.continuation == nil { state.early = result }
            defer { state.continuation = nil; state.cleanup = nil }
            return (true, state.continuation, state.cleanup)
        }
        continuation?.resume(with: result)
        cleanup?()
        return won
    }
}
