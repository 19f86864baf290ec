import Synchronization

/// Group commit for the one SQLite connection (issue 11, decision 0040): writes sent outside a
/// transaction by concurrent requests share one transaction, so one sync of the log
/// (`synchronous=FULL`) makes many of them durable.
///
/// A write that finds no batch running runs at once, alone, as an autocommit statement (no
/// extra statements when there is no concurrency). Writes that arrive while a batch runs queue;
/// when it ends, the first of them leads the next batch: it takes the gate exclusively, sends
/// `BEGIN IMMEDIATE`, every queued write back to back, and `COMMIT`. No caller returns before
/// the commit its write is in, so what a request was told is done is as durable as before.
///
/// A write that fails fails only its caller: SQLite undoes just that statement (constraint
/// conflicts and `RAISE(ABORT)` abort the statement, not the transaction) and the batch goes
/// on. A failed `BEGIN` or `COMMIT` fails every write of the batch (rolled back).
final class GroupCommit: Sendable {
    typealias Work = @Sendable () async throws -> Void

    private enum Turn: Sendable { case done, lead }

    private struct Queued: Sendable {
        let work: Work
        let continuation: CheckedContinuation<Turn, any Error>
    }

    private struct State {
        var running = false
        var queued: [Queued] = []
    }

    private let state = Mutex(State())
    /// Writes that shared a commit with others, and those commits (for tests and the bench).
    let groupedWrites = Atomic<Int>(0)
    let groupCommits = Atomic<Int>(0)
    private let gate: ConnectionGate
    /// Runs a statement on the connection itself (inside the gate's hold).
    private let raw: @Sendable (String) async throws -> Void

    init(gate: ConnectionGate, raw: @escaping @Sendable (String) async throws -> Void) {
        self.gate = gate
        self.raw = raw
    }

    /// Runs `work` (one write statement) in the next group commit; returns once it is committed.
    func write(_ work: @escaping Work) async throws {
        let leads = state.withLock { state -> Bool in
            guard !state.running else { return false }
            state.running = true
            return true
        }
        if leads {
            // Nothing running: alone, as an autocommit statement.
            defer { handOver() }
            try await gate.statement { try await work() }
            return
        }
        let turn = try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Turn, any Error>) in
            let now = state.withLock { state -> Bool in
                guard state.running else {
                    state.running = true
                    return true
                }
                state.queued.append(Queued(work: work, continuation: continuation))
                return false
            }
            if now { continuation.resume(returning: .lead) }
        }
        guard turn == .lead else { return }
        try await lead(work)
    }

    /// Runs `own` and every write queued now in one transaction, then hands over.
    private func lead(_ own: @escaping Work) async throws {
        defer { handOver() }
        let others = state.withLock { state in
            defer { state.queued = [] }
            return state.queued
        }
        guard !others.isEmpty else {
            try await gate.statement { try await own() }
            return
        }
        var failures: [(any Error)?] = Array(repeating: nil, count: others.count)
        var ownFailure: (any Error)? = nil
        do {
            try await gate.exclusive {
                try await raw("BEGIN IMMEDIATE")
                do { try await own() } catch { ownFailure = error }
                for (index, queued) in others.enumerated() {
                    do { try await queued.work() } catch { failures[index] = error }
                }
                do {
                    try await raw("COMMIT")
                } catch {
                    try? await raw("ROLLBACK")
                    throw error
                }
            }
        } catch {
            for queued in others { queued.continuation.resume(throwing: error) }
            throw error
        }
        groupCommits.add(1, ordering: .relaxed)
        groupedWrites.add(others.count + 1, ordering: .relaxed)
        for (queued, failure) in zip(others, failures) {
            if let failure { queued.continuation.resume(throwing: failure) } else { queued.continuation.resume(returning: .done) }
        }
        if let ownFailure { throw ownFailure }
    }

    /// Ends this batch: the first queued write leads the next one, or the committer rests.
    private func handOver() {
        let next = state.withLock { state -> Queued? in
            guard !state.queued.isEmpty else {
                state.running = false
                return nil
            }
            return state.queued.removeFirst()
        }
        next?.continuation.resume(returning: .lead)
    }
}
