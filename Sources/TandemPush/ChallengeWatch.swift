import Foundation
import ServiceLifecycle
import TandemServices

/// Wakes browsers (server-sent events, long-poll) waiting on a challenge in this process.
///
/// A challenge changes once (out of `pending`; an activation's key once, when a device
/// registers), so the watch remembers recent changes for a while: a `wait` that starts just after
/// the change it was meant to see — the caller read the old state, then the change landed
/// (possibly on another instance) before the wait began — returns at once instead of sleeping
/// until its deadline.
public actor ChallengeWatch: ChallengeEvents {
    private var waiters: [String: [UUID: CheckedContinuation<Void, Never>]] = [:]
    private var recent: [String: ContinuousClock.Instant] = [:]
    private var recentOrder: [(id: String, at: ContinuousClock.Instant)] = []
    private var recentStart = 0
    private let memory: Duration
    private let memoryLimit: Int
    /// Set on graceful shutdown: no wait sleeps any more.
    private var stopping = false

    /// `memory`: how long a change is remembered; `memoryLimit`: at most this many remembered.
    public init(memory: Duration = .seconds(60), memoryLimit: Int = 100_000) {
        self.memory = memory
        self.memoryLimit = memoryLimit
    }

    public func changed(challengeID: String) async {
        remember(challengeID)
        let woken = waiters.removeValue(forKey: challengeID) ?? [:]
        for continuation in woken.values { continuation.resume() }
    }

    public func wait(challengeID: String, for delay: TimeInterval) async {
        guard delay > 0, !stopping else { return }
        if let at = recent[challengeID], ContinuousClock.now - at < memory { return }
        let token = UUID()
        // Graceful shutdown (SIGTERM) answers every waiting browser at once: a request in flight
        // finishes instead of holding the server open until the deadline cuts it.
        await withGracefulShutdownHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                waiters[challengeID, default: [:]][token] = continuation
                Task { [weak self] in
                    try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                    await self?.timeOut(challengeID: challengeID, token: token)
                }
            }
        } onGracefulShutdown: {
            Task { await self.stop() }
        }
    }

    /// Wakes every waiter (they read the store again). Used when messages from other instances
    /// may have been missed.
    public func wakeAll() {
        let all = waiters
        waiters = [:]
        for continuation in all.values.flatMap(\.values) { continuation.resume() }
    }

    /// Graceful shutdown: every browser waiting now gets its answer (the state as it is), and no
    /// later wait sleeps, so requests in flight finish instead of holding the process open.
    public func stop() {
        stopping = true
        wakeAll()
    }

    /// How many browsers are waiting (for tests and metrics).
    public var waiting: Int { waiters.values.reduce(0) { $0 + $1.count } }

    private func timeOut(challengeID: String, token: UUID) {
        guard let continuation = waiters[challengeID]?.removeValue(forKey: token) else { return }
        if waiters[challengeID]?.isEmpty == true { waiters[challengeID] = nil }
        continuation.resume()
    }

    /// Records a change, forgetting the oldest ones past the time or count limit (a ring of
    /// insertion order, compacted when half of it is spent).
    private func remember(_ id: String) {
        let now = ContinuousClock.now
        recent[id] = now
        recentOrder.append((id, now))
        while recentStart < recentOrder.count,
              recentOrder.count - recentStart > memoryLimit || now - recentOrder[recentStart].at > memory {
            let old = recentOrder[recentStart]
            if recent[old.id] == old.at { recent[old.id] = nil }
            recentStart += 1
        }
        if recentStart > 1024, recentStart * 2 > recentOrder.count {
            recentOrder.removeFirst(recentStart)
            recentStart = 0
        }
    }
}
