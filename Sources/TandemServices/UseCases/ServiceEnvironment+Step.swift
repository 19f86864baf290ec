import Foundation
import Synchronization
import TandemCore

extension ServiceEnvironment {
    /// One request step of a sign-in in one storage transaction (issue 11): its writes — the
    /// sign-in log, the request, its trail, the flow, the counters — commit together, so SQLite
    /// syncs its log once per step instead of once per statement.
    ///
    /// - The step keeps the semantics of the statements it groups: a refusal (`TandemError`)
    ///   still commits what the step wrote before it (the sign-in log's failed step, a failure
    ///   counted), then is rethrown. Any other error (the database failed) rolls everything back.
    /// - Pushes, wake-ups of waiting browsers and administrator alerts made inside are held back
    ///   until the commit (`AfterCommit`), so no phone or browser reads a request before it is
    ///   there (on PostgreSQL another connection would not see it yet), and none is told about a
    ///   change that was rolled back.
    /// - A step inside a step is the same step. Keep password hashing and other waits out: on
    ///   SQLite a transaction has the database to itself while it runs (`TransactionStore`).
    public func step<T: Sendable>(_ body: @Sendable (ServiceEnvironment) async throws -> T) async throws -> T {
        if push is HeldBackPush { return try await body(self) }
        let held = AfterCommit()
        let (push, events, alerts) = (self.push, self.events, self.alerts)
        let outcome: Result<T, TandemError> = try await transaction { env in
            var env = env
            env.push = HeldBackPush(base: push, held: held)
            env.events = HeldBackEvents(base: events, held: held)
            env.alerts = HeldBackAlerts(base: alerts, held: held)
            do {
                return .success(try await body(env))
            } catch let refusal as TandemError {
                return .failure(refusal)
            }
        }
        await held.run()
        return try outcome.get()
    }
}

/// The side effects a step holds back until its transaction commits, in the order they were made.
final class AfterCommit: Sendable {
    private let work = Mutex<[@Sendable () async -> Void]>([])

    func add(_ effect: @escaping @Sendable () async -> Void) { work.withLock { $0.append(effect) } }

    func run() async {
        for effect in work.withLock({ queued in defer { queued = [] }; return queued }) { await effect() }
    }
}

struct HeldBackPush: PushNotifier {
    let base: any PushNotifier
    let held: AfterCommit

    func deliver(_ offer: ChallengeOffer, to deviceIDs: [String]) async { held.add { await base.deliver(offer, to: deviceIDs) } }
    func withdraw(challengeID: String, reason: String, from deviceIDs: [String]) async {
        held.add { await base.withdraw(challengeID: challengeID, reason: reason, from: deviceIDs) }
    }
    func disconnect(deviceID: String) async { held.add { await base.disconnect(deviceID: deviceID) } }
    func notify(_ notice: DeviceNotice, to deviceIDs: [String]) async { held.add { await base.notify(notice, to: deviceIDs) } }
}

struct HeldBackEvents: ChallengeEvents {
    let base: any ChallengeEvents
    let held: AfterCommit

    func changed(challengeID: String) async { held.add { await base.changed(challengeID: challengeID) } }
    /// A step never waits (it would hold the database); should one, it waits as outside.
    func wait(challengeID: String, for seconds: TimeInterval) async { await base.wait(challengeID: challengeID, for: seconds) }
}

struct HeldBackAlerts: AdminAlerts {
    let base: any AdminAlerts
    let held: AfterCommit

    func send(event: String, details: [String: String]) async { held.add { await base.send(event: event, details: details) } }
}
