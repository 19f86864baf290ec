import Foundation
import Synchronization

/// Bounds the work in flight per `RouteClass` (decision 0028): a request takes a slot of its
/// class or waits in the class's queue, first come first served, until a slot frees or its
/// deadline passes; a full queue or a passed deadline sheds it.
///
/// A freed slot goes to the classes in `RouteClass.allCases` order, and a new sign-in is not
/// started (neither admitted at once nor from its queue) while a completion waits: when the
/// server is short of capacity, phones' answers and sign-in completions go first.
public final class LoadShedder: Sendable {
    public enum Admission: Equatable, Sendable {
        case admitted
        case shed(ShedReason)
    }

    public enum ShedReason: String, Sendable {
        /// The class's queue was full.
        case queueFull
        /// The request waited the whole queue timeout.
        case queueTimeout
    }

    private final class Waiter: Sendable {
        let id: UInt64
        let continuation: CheckedContinuation<Admission, Never>
        init(id: UInt64, continuation: CheckedContinuation<Admission, Never>) {
            self.id = id
            self.continuation = continuation
        }
    }

    private struct ClassState {
        var inFlight = 0
        var queue: [Waiter] = []
    }

    private struct State {
        var classes: [RouteClass: ClassState] = Dictionary(uniqueKeysWithValues: RouteClass.allCases.map { ($0, ClassState()) })
        var nextID: UInt64 = 0
        var shed: [RouteClass: Int] = [:]
    }

    public let limits: LoadLimits
    private let state = Mutex(State())
    private let onShed: @Sendable (RouteClass, ShedReason) -> Void

    public init(limits: LoadLimits, onShed: @escaping @Sendable (RouteClass, ShedReason) -> Void = { _, _ in }) {
        self.limits = limits
        self.onShed = onShed
    }

    /// Takes a slot of `routeClass`, waiting at most the queue timeout. After `.admitted` the
    /// caller must `release` the slot exactly once.
    public func acquire(_ routeClass: RouteClass) async -> Admission {
        let timeout = limits.queueTimeout
        let admission: Admission = await withCheckedContinuation { continuation in
            enum Outcome { case now, full, queued(UInt64) }
            let outcome: Outcome = state.withLock { state in
                if Self.mayStart(routeClass, state: state, limits: limits) {
                    state.classes[routeClass]!.inFlight += 1
                    return .now
                }
                guard state.classes[routeClass]!.queue.count < limits.queueLength else { return .full }
                state.nextID &+= 1
                state.classes[routeClass]!.queue.append(Waiter(id: state.nextID, continuation: continuation))
                return .queued(state.nextID)
            }
            switch outcome {
            case .now: continuation.resume(returning: .admitted)
            case .full: continuation.resume(returning: .shed(.queueFull))
            case .queued(let id):
                Task { [weak self] in
                    try? await Task.sleep(for: .milliseconds(Int64(timeout * 1000)))
                    self?.expire(id, routeClass)
                }
            }
        }
        if case .shed(let reason) = admission {
            state.withLock { $0.shed[routeClass, default: 0] += 1 }
            onShed(routeClass, reason)
        }
        return admission
    }

    /// Frees a slot of `routeClass` and hands the free capacity to the waiters, in class order.
    public func release(_ routeClass: RouteClass) {
        let wake: [Waiter] = state.withLock { state in
            state.classes[routeClass]!.inFlight -= 1
            return Self.dispatch(&state, limits: limits)
        }
        for waiter in wake { waiter.continuation.resume(returning: .admitted) }
    }

    /// Runs `body` in a slot of `routeClass`, or returns `nil` (shed) without running it.
    public func run<T: Sendable>(_ routeClass: RouteClass, _ body: () async throws -> T) async rethrows -> T? {
        guard await acquire(routeClass) == .admitted else { return nil }
        defer { release(routeClass) }
        return try await body()
    }

    /// Requests in flight and waiting, per class (for `/metrics` and the tests).
    public func snapshot() -> [RouteClass: (inFlight: Int, queued: Int)] {
        state.withLock { state in state.classes.mapValues { ($0.inFlight, $0.queue.count) } }
    }

    /// Requests shed so far, per class.
    public func shedCounts() -> [RouteClass: Int] {
        state.withLock { $0.shed }
    }

    // MARK: Internals

    private static func mayStart(_ routeClass: RouteClass, state: State, limits: LoadLimits) -> Bool {
        let own = state.classes[routeClass]!
        guard own.inFlight < limits.limit(routeClass), own.queue.isEmpty else { return false }
        return routeClass != .newSignIn || state.classes[.completion]!.queue.isEmpty
    }

    private static func dispatch(_ state: inout State, limits: LoadLimits) -> [Waiter] {
        var wake: [Waiter] = []
        for routeClass in RouteClass.allCases {
            if routeClass == .newSignIn, !state.classes[.completion]!.queue.isEmpty { continue }
            while state.classes[routeClass]!.inFlight < limits.limit(routeClass), !state.classes[routeClass]!.queue.isEmpty {
                wake.append(state.classes[routeClass]!.queue.removeFirst())
                state.classes[routeClass]!.inFlight += 1
            }
        }
        return wake
    }

    /// The deadline of a queued request passed: it leaves the queue unanswered (shed).
    private func expire(_ id: UInt64, _ routeClass: RouteClass) {
        let waiter: Waiter? = state.withLock { state in
            guard let index = state.classes[routeClass]!.queue.firstIndex(where: { $0.id == id }) else { return nil }
            let waiter = state.classes[routeClass]!.queue.remove(at: index)
            return waiter
        }
        waiter?.continuation.resume(returning: .shed(.queueTimeout))
    }
}
