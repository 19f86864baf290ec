import Foundation
import Synchronization
import Tracing

/// The trace context of each push request's `tandem.challenge.issue` span, kept in memory so the
/// phone's answer and the browser's redemption (other HTTP requests, seconds or minutes later)
/// join the sign-in's trace (decision 0029).
///
/// Only recording spans are kept: with no tracer bootstrapped (the default) nothing is stored.
/// An entry lives until its challenge is redeemed or a while after it expires, and at most
/// `capacity` entries are held (the oldest go first). An answer that reaches another instance
/// (several on one PostgreSQL) or arrives after a restart finds nothing and stays in its own
/// request's trace; every challenge span carries `tandem.challenge`, so they still join by query.
public final class ChallengeTraces: Sendable {
    private struct Entry {
        let context: InstrumentationContext
        let until: Date
    }

    private struct State {
        var entries: [String: Entry] = [:]
        var order: [String] = []
    }

    private let state = Mutex(State())
    private let capacity: Int

    public init(capacity: Int = 10_000) {
        self.capacity = max(1, capacity)
    }

    /// Keeps `span`'s context for `challengeID` until `until`, if the span is recorded at all.
    func remember(_ challengeID: String, span: any Span, until: Date, now: Date) {
        guard span.isRecording else { return }
        let context = span.context
        state.withLock { state in
            while let oldest = state.order.first,
                  state.order.count >= capacity || (state.entries[oldest].map { $0.until < now } ?? true) {
                state.order.removeFirst()
                state.entries[oldest] = nil
            }
            if state.entries.updateValue(Entry(context: context, until: until), forKey: challengeID) == nil {
                state.order.append(challengeID)
            }
        }
    }

    /// The issue span's context for `challengeID`, if still held; `forget` drops it.
    func context(for challengeID: String, now: Date, forget: Bool = false) -> InstrumentationContext? {
        state.withLock { state in
            guard let entry = state.entries[challengeID] else { return nil }
            if forget || entry.until < now {
                state.entries[challengeID] = nil
                state.order.removeAll { $0 == challengeID }
            }
            return entry.until < now ? nil : entry.context
        }
    }

    /// How many contexts are held (tests).
    public var count: Int { state.withLock { $0.entries.count } }
}

extension ChallengeService {
    /// Runs `body` in a `name` span that is a child of the challenge's issue span when this process
    /// still holds it, with a link to the request that brought it (the phone's or the browser's);
    /// otherwise a child of the current request. No secret goes into an attribute: ids, kinds,
    /// decisions and states only, never the number, the nonce, a signature or an assertion.
    func inChallengeSpan<T>(_ name: String, challengeID: String, forget: Bool = false,
                            _ body: (any Span) async throws -> T) async throws -> T {
        let requestContext = InstrumentationContext.current
        let issued = SignedBytes.isToken(challengeID)
            ? env.traces.context(for: challengeID, now: env.clock.now(), forget: forget) : nil
        return try await withSpan(name, context: issued ?? requestContext ?? .topLevel, ofKind: .internal) { span in
            span.attributes["tandem.challenge"] = challengeID
            if issued != nil, let requestContext {
                span.addLink(SpanLink(context: requestContext, attributes: [:]))
            }
            return try await body(span)
        }
    }
}
