import Foundation
import Prometheus
import TandemCore
import TandemPush
import TandemServices

/// `SignInMetrics` kept in a Prometheus registry (swift-prometheus), one registry per application
/// (not the process-wide `MetricsSystem`), so several applications in one test process don't mix.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `tandem_sign_ins_total` | counter | `method` (passwordless, mfa, password), `result` (success, wrongPassword, denied, reported, expired, withdrawn) |
/// | `tandem_pushes_sent_total` | counter, one per device reached | `kind` (passwordless, mfa, registration) |
/// | `tandem_pushes_answered_total` | counter | `kind`, `state` (approved, denied, reported) |
/// | `tandem_challenge_answer_seconds` | histogram: creation to a device's answer | — |
/// | `tandem_connected_devices` | gauge: devices with an open push channel to this instance | — |
/// | `tandem_waiting_browsers` | gauge: browsers in a long-poll or event stream here | — |
public final class PrometheusSignInMetrics: SignInMetrics {
    public let registry = PrometheusCollectorRegistry()
    private let answerLatency: DurationHistogram
    private let connected: Gauge
    private let waiting: Gauge

    public init() {
        answerLatency = registry.makeDurationHistogram(
            descriptor: .init(namespace: "tandem", metricName: "challenge_answer", unitName: "seconds",
                              helpText: "Time from a push request's creation to a device's answer."),
            labels: [],
            buckets: [.milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2), .seconds(5),
                      .seconds(10), .seconds(20), .seconds(30), .seconds(60), .seconds(120)])
        connected = registry.makeGauge(descriptor: .init(namespace: "tandem", metricName: "connected_devices", unitName: "",
                                                         helpText: "Devices with an open push channel to this instance."), labels: [])
        waiting = registry.makeGauge(descriptor: .init(namespace: "tandem", metricName: "waiting_browsers", unitName: "",
                                                       helpText: "Browsers waiting on a request here (long-poll, event stream)."), labels: [])
        // Zero series for the usual labels, so dashboards see them before the first event.
        for method in ["passwordless", "mfa", "password"] { _ = signInCounter(method: method, result: "success") }
        for kind in ChallengeKind.allCases { _ = pushCounter(kind: kind) }
    }

    public func signIn(method: String, result: String) {
        signInCounter(method: method, result: result).increment()
    }

    public func pushSent(kind: ChallengeKind, devices: Int) {
        pushCounter(kind: kind).increment(by: Int64(devices))
    }

    public func pushAnswered(kind: ChallengeKind, state: ChallengeState, latency: TimeInterval) {
        registry.makeCounter(descriptor: Self.answered, labels: [("kind", kind.rawValue), ("state", state.rawValue)]).increment()
        answerLatency.recordNanoseconds(Int64(max(0, latency) * 1_000_000_000))
    }

    /// The text exposition (format 0.0.4), after reading the gauges from the hub and the watch.
    public func exposition(hub: PushHub, watch: ChallengeWatch) async -> [UInt8] {
        connected.set(Double(await hub.connectedDevices))
        waiting.set(Double(await watch.waiting))
        return registry.emitToBuffer()
    }

    private static var signIns: MetricNameDescriptor { MetricNameDescriptor(namespace: "tandem", metricName: "sign_ins", unitName: "total",
                                                      helpText: "Sign-ins finished, by method and result.") }
    private static var sent: MetricNameDescriptor { MetricNameDescriptor(namespace: "tandem", metricName: "pushes_sent", unitName: "total",
                                                   helpText: "Push requests sent, one per device.") }
    private static var answered: MetricNameDescriptor { MetricNameDescriptor(namespace: "tandem", metricName: "pushes_answered", unitName: "total",
                                                       helpText: "Push requests answered by a device, by kind and state.") }

    private func signInCounter(method: String, result: String) -> Counter {
        registry.makeCounter(descriptor: Self.signIns, labels: [("method", method), ("result", result)])
    }

    private func pushCounter(kind: ChallengeKind) -> Counter {
        registry.makeCounter(descriptor: Self.sent, labels: [("kind", kind.rawValue)])
    }
}
