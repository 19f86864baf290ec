import Foundation
import Histogram

/// The figures of one `--radius` run (decision 0035, docs/performance.md).
struct RadiusReport {
    let name: String
    let users: Int
    /// Round 1 by user: the exchange, push delivery (ns from the start), whether the approval was taken.
    let first: [Int: (RadiusNasPort.Exchange, UInt64?, Bool)]
    let second: [Int: RadiusNasPort.Exchange]
    /// Requests each phone received on its push channel.
    let pushes: [Int: Int]
    let twice: Int
    let again: Int
    let serverCPU: Double
    let retryAfter: Duration

    static func histogram(_ nanoseconds: [UInt64]) -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 600_000_000, numberOfSignificantValueDigits: .three)
        for value in nanoseconds { _ = histogram.record(value / 1000) }
        return histogram
    }

    static func figures(_ title: String, _ nanoseconds: [UInt64]) -> String {
        let h = histogram(nanoseconds)
        return "\(title) ms p50 \(BackendResult.ms(h, 50)) p99 \(BackendResult.ms(h, 99)) max \(h.totalCount == 0 ? "-" : String(format: "%.2f", Double(h.max) / 1000))"
    }

    var challenged: [Int] { first.filter { $0.value.0.reply?.code == .accessChallenge }.map(\.key) }
    var accepted: [Int] { second.filter { $0.value.reply?.code == .accessAccept }.map(\.key) }
    var lost: Int { (users - challenged.count) + (users - accepted.count) }
    /// Phones with more than one push, plus duplicates answered with other bytes than the first reply.
    var doubled: Int {
        pushes.values.filter { $0 > 1 }.count
            + first.values.filter { exchange, _, _ in exchange.duplicateReplies.contains { $0 != exchange.bytes } }.count
    }

    func print() {
        let toChallenge = first.values.compactMap { $0.0.reply == nil ? nil : $0.0.elapsed }
        let toAccept = second.values.compactMap { $0.reply?.code == .accessAccept ? $0.elapsed : nil }
        let pushed = first.values.compactMap { $0.1 }
        let retransmitted = first.values.map(\.0.retransmissions).reduce(0, +) + second.values.map(\.retransmissions).reduce(0, +)
        let unanswered = first.values.filter { exchange, _, _ in exchange.duplicateReplies.isEmpty }.count - (users - twice - again)
        Output.line("[\(name)] round 1: \(challenged.count)/\(users) Access-Challenge; \(Self.figures("time to challenge", toChallenge)); "
            + "\(twice) sent twice at once, \(again) again after the reply, \(max(0, unanswered)) duplicates unanswered")
        Output.line("[\(name)] pushes: \(pushes.values.reduce(0, +)) received by \(pushes.count) phones; \(Self.figures("push delivery (from the start)", pushed)); "
            + "\(first.values.filter(\.2).count) approved")
        Output.line("[\(name)] round 2: \(accepted.count)/\(users) Access-Accept; \(Self.figures("time to accept", toAccept))")
        Output.line("[\(name)] lost \(lost), doubled \(doubled); \(retransmitted) retransmissions after \(retryAfter.components.seconds) s; "
            + String(format: "server CPU %.2f s (%.1f ms per sign-in); load average %@", serverCPU, serverCPU / Double(max(1, users)) * 1000,
                     TandemBench.loadAverage()))
    }
}
