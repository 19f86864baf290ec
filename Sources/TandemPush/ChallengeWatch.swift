import Foundation
import TandemServices

/// Wakes browsers (server-sent events, long-poll) waiting on a challenge in this process.
public actor ChallengeWatch: ChallengeEvents {
    private var waiters: [String: [UUID: CheckedContinuation<Void, Never>]] = [:]

    public init() {}

    public func changed(challengeID: String) async {
        let woken = waiters.removeValue(forKey: challengeID) ?? [:]
        for continuation in woken.values { continuation.resume() }
    }

    public func wait(challengeID: String, until deadline: Date) async {
        let delay = deadline.timeIntervalSinceNow
        guard delay > 0 else { return }
        let token = UUID()
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            waiters[challengeID, default: [:]][token] = continuation
            Task { [weak self] in
                try? await Task.sleep(for: .milliseconds(Int(delay * 1000)))
                await self?.timeOut(challengeID: challengeID, token: token)
            }
        }
    }

    /// How many browsers are waiting (for tests and metrics).
    public var waiting: Int { waiters.values.reduce(0) { $0 + $1.count } }

    private func timeOut(challengeID: String, token: UUID) {
        guard let continuation = waiters[challengeID]?.removeValue(forKey: token) else { return }
        if waiters[challengeID]?.isEmpty == true { waiters[challengeID] = nil }
        continuation.resume()
    }
}
