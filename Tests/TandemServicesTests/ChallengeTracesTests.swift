import Foundation
import InMemoryTracing
import Testing
import Tracing

@testable import TandemServices

/// The in-memory trace contexts that put a push's answer into its sign-in's trace (decision 0029).
@Suite("Challenge traces")
struct ChallengeTracesTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let tracer = InMemoryTracer()

    static func span(_ name: String = "tandem.challenge.issue") -> any Span {
        tracer.startSpan(name, context: .topLevel, ofKind: .internal, at: DefaultTracerClock.now, function: #function, file: #fileID, line: #line)
    }

    @Test("A recording span's context is kept and found by the challenge id; a no-op span's is not")
    func keepsRecordingSpansOnly() throws {
        let traces = ChallengeTraces()
        let issue = Self.span()
        traces.remember("c1", span: issue, until: Self.now + 60, now: Self.now)
        traces.remember("c2", span: NoOpTracer.NoOpSpan(context: .topLevel), until: Self.now + 60, now: Self.now)
        #expect(traces.count == 1)
        let found = try #require(traces.context(for: "c1", now: Self.now))
        #expect(found.inMemorySpanContext == issue.context.inMemorySpanContext)
        #expect(traces.context(for: "c2", now: Self.now) == nil)
        #expect(traces.context(for: "unknown", now: Self.now) == nil)
    }

    @Test("An entry is gone after its time, after a redemption forgets it, and the oldest go first past the capacity")
    func boundedAndExpiring() {
        let traces = ChallengeTraces(capacity: 3)
        for index in 0..<5 { traces.remember("c\(index)", span: Self.span(), until: Self.now + 60, now: Self.now) }
        #expect(traces.count == 3)
        #expect(traces.context(for: "c0", now: Self.now) == nil && traces.context(for: "c1", now: Self.now) == nil)
        #expect(traces.context(for: "c4", now: Self.now, forget: true) != nil)
        #expect(traces.context(for: "c4", now: Self.now) == nil)
        #expect(traces.context(for: "c3", now: Self.now + 61) == nil)   // expired: not returned, and dropped
        #expect(traces.count == 1)
        traces.remember("late", span: Self.span(), until: Self.now + 200, now: Self.now + 100)   // prunes c2 (expired)
        #expect(traces.count == 1)
    }
}
