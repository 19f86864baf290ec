import Synchronization

/// Who may use the one SQLite connection: any number of single statements at once (shared), or
/// one transaction alone (exclusive).
///
/// All requests share one `SQLiteConnection`, whose statements run concurrently on the thread
/// pool; a `BEGIN` on it would take every other request's statements into the transaction (and
/// its rollback). So a transaction waits until the statements in flight have finished, and
/// statements that arrive while it runs wait until it ends. The transaction's own statements pass:
/// the task that holds the gate (and its child tasks) is marked by a task-local `Hold`.
/// First come, first served: a waiting transaction is not overtaken by later statements.
final class ConnectionGate: Sendable {
    private enum Waiter {
        case shared(CheckedContinuation<Void, Never>)
        case exclusive(CheckedContinuation<Void, Never>)
    }

    private struct State {
        var statements = 0
        var exclusive = false
        var waiting: [Waiter] = []
    }

    /// Marks the task that holds a gate exclusively, for as long as `active` is true.
    final class Hold: Sendable {
        let gate: ObjectIdentifier
        private let ended = Atomic<Bool>(false)
        init(gate: ObjectIdentifier) { self.gate = gate }
        var active: Bool { !ended.load(ordering: .acquiring) }
        func end() { ended.store(true, ordering: .releasing) }
    }

    @TaskLocal static var hold: Hold?

    private let state = Mutex(State())

    init() {}

    /// Whether the current task runs inside this gate's transaction.
    var heldByCurrentTask: Bool {
        guard let hold = Self.hold else { return false }
        return hold.gate == ObjectIdentifier(self) && hold.active
    }

    /// Runs one statement: at once, beside other statements, unless a transaction runs or waits.
    func statement<T>(_ body: () async throws -> T) async throws -> T {
        if heldByCurrentTask { return try await body() }
        await acquire(exclusive: false)
        defer { release(exclusive: false) }
        return try await body()
    }

    /// Runs `body` with the connection to itself (re-entrant for the task that holds it).
    func exclusive<T>(_ body: () async throws -> T) async throws -> T {
        if heldByCurrentTask { return try await body() }
        await acquire(exclusive: true)
        let hold = Hold(gate: ObjectIdentifier(self))
        defer {
            hold.end()
            release(exclusive: true)
        }
        return try await Self.$hold.withValue(hold) { try await body() }
    }

    private func acquire(exclusive: Bool) async {
        let granted = state.withLock { state -> Bool in
            guard state.waiting.isEmpty, !state.exclusive, !(exclusive && state.statements > 0) else { return false }
            if exclusive { state.exclusive = true } else { state.statements += 1 }
            return true
        }
        if granted { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.waiting.append(exclusive ? .exclusive(continuation) : .shared(continuation))
                return Self.admit(&state)  // the gate may have opened in between
            }
            for next in ready { next.resume() }
        }
    }

    private func release(exclusive: Bool) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if exclusive { state.exclusive = false } else { state.statements -= 1 }
            return Self.admit(&state)
        }
        for next in ready { next.resume() }
    }

    /// Lets in waiters from the front of the queue while the gate allows them.
    private static func admit(_ state: inout State) -> [CheckedContinuation<Void, Never>] {
        var ready: [CheckedContinuation<Void, Never>] = []
        while let first = state.waiting.first, !state.exclusive {
            switch first {
            case .shared(let continuation):
                state.statements += 1
                ready.append(continuation)
            case .exclusive(let continuation):
                guard state.statements == 0 else { return ready }
                state.exclusive = true
                ready.append(continuation)
            }
            state.waiting.removeFirst()
        }
        return ready
    }
}
