import Foundation
import Histogram
import Synchronization

/// The figures of one backend.
struct BackendResult {
    var name: String
    var idleDevices: Int
    var bytesPerIdleDevice: Double
    var concurrency: Int
    var signInsPerSecond: Double
    var completed: Int
    var failed: Int
    var closed: SignInDriver.Histograms
    var serverCPUPerThousand: Double
    var clientCPUPerThousand: Double
    var pacedRate: Double
    var pacedAchieved: Double
    var pacedFailed: Int
    var paced: SignInDriver.Histograms
    var peakServerMemory: Int
    var droppedChannels: Int
    /// /proc/loadavg at the end (1, 5, 15 minutes).
    var loadAverage: String

    static func ms(_ histogram: Histogram<UInt64>, _ percentile: Double) -> String {
        histogram.totalCount == 0 ? "-" : String(format: "%.2f", Double(histogram.valueAtPercentile(percentile)) / 1000)
    }

    func report(floor: CryptoFloor) -> String {
        let perSignIn = serverCPUPerThousand / 1000
        return """
        [\(name)] closed loop (\(concurrency) concurrent): \(completed) sign-ins, \(failed) failed, \(String(format: "%.0f", signInsPerSecond)) sign-ins/s
        [\(name)]   whole sign-in ms p50 \(Self.ms(closed.total, 50)) p99 \(Self.ms(closed.total, 99)) p99.9 \(Self.ms(closed.total, 99.9)); push delivery ms p50 \(Self.ms(closed.push, 50)) p99 \(Self.ms(closed.push, 99)) p99.9 \(Self.ms(closed.push, 99.9))
        [\(name)]   server CPU \(String(format: "%.2f", serverCPUPerThousand)) s per 1,000 sign-ins (\(String(format: "%.0f", perSignIn * 1e6)) µs each = \(String(format: "%.1f", perSignIn / floor.perSignIn))× the crypto floor); load generator \(String(format: "%.2f", clientCPUPerThousand)) s per 1,000
        [\(name)] paced at \(String(format: "%.0f", pacedRate))/s (achieved \(String(format: "%.0f", pacedAchieved))/s, \(pacedFailed) failed):
        [\(name)]   whole sign-in ms p50 \(Self.ms(paced.total, 50)) p99 \(Self.ms(paced.total, 99)) p99.9 \(Self.ms(paced.total, 99.9)); push delivery ms p50 \(Self.ms(paced.push, 50)) p99 \(Self.ms(paced.push, 99)) p99.9 \(Self.ms(paced.push, 99.9))
        [\(name)] peak server memory \(String(format: "%.1f", Double(peakServerMemory) / 1e6)) MB; \(String(format: "%.1f", bytesPerIdleDevice / 1024)) KB per idle device (\(idleDevices) devices → \(String(format: "%.0f", bytesPerIdleDevice * 10_000 / 1e6)) MB per 10,000); channels dropped: \(droppedChannels); load average \(loadAverage)
        """
    }

    static func table(_ results: [BackendResult], floor: CryptoFloor) -> String {
        var lines = ["| figure | " + results.map(\.name).joined(separator: " | ") + " |",
                     "|---|" + results.map { _ in "---:|" }.joined()]
        func row(_ title: String, _ value: (BackendResult) -> String) {
            lines.append("| \(title) | " + results.map(value).joined(separator: " | ") + " |")
        }
        row("sign-ins/s (closed loop)") { String(format: "%.0f", $0.signInsPerSecond) }
        row("whole sign-in p50 / p99 / p99.9 ms (closed loop)") { "\(ms($0.closed.total, 50)) / \(ms($0.closed.total, 99)) / \(ms($0.closed.total, 99.9))" }
        row("push delivery p50 / p99 / p99.9 ms (closed loop)") { "\(ms($0.closed.push, 50)) / \(ms($0.closed.push, 99)) / \(ms($0.closed.push, 99.9))" }
        row("paced rate /s") { String(format: "%.0f", $0.pacedAchieved) }
        row("whole sign-in p50 / p99 / p99.9 ms (paced)") { "\(ms($0.paced.total, 50)) / \(ms($0.paced.total, 99)) / \(ms($0.paced.total, 99.9))" }
        row("push delivery p50 / p99 / p99.9 ms (paced)") { "\(ms($0.paced.push, 50)) / \(ms($0.paced.push, 99)) / \(ms($0.paced.push, 99.9))" }
        row("server CPU s per 1,000 sign-ins") { String(format: "%.2f", $0.serverCPUPerThousand) }
        row("server CPU per sign-in ÷ crypto floor") { String(format: "%.1f×", $0.serverCPUPerThousand / 1000 / floor.perSignIn) }
        row("load generator CPU s per 1,000") { String(format: "%.2f", $0.clientCPUPerThousand) }
        row("peak server memory MB") { String(format: "%.1f", Double($0.peakServerMemory) / 1e6) }
        row("KB per idle device (\(results.first?.idleDevices ?? 0) devices)") { String(format: "%.1f", $0.bytesPerIdleDevice / 1024) }
        row("failed sign-ins (closed + paced)") { "\($0.failed + $0.pacedFailed)" }
        row("machine load average at the end (1/5/15 min)") { $0.loadAverage }
        return lines.joined(separator: "\n")
    }
}

/// Lines to standard error: results as lines, progress as one rewritten line.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    static func progress(_ text: String) {
        FileHandle.standardError.write(Data(("\r\u{1B}[K" + text).utf8))
    }

    static func endProgress() {
        FileHandle.standardError.write(Data("\n".utf8))
    }
}

/// Prints the phase, seconds, sign-ins done, the rate of the last second and failures, once a second.
final class ProgressLine: Sendable {
    let driver: SignInDriver
    let server: ServerProcess
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(driver: SignInDriver, server: ServerProcess) {
        self.driver = driver
        self.server = server
    }

    func start(_ phase: String) {
        let driver = driver
        let server = server
        task.withLock {
            $0 = Task {
                let begin = ContinuousClock.now
                let done0 = driver.completed.load(ordering: .relaxed)
                var last = done0
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(1))
                    let done = driver.completed.load(ordering: .relaxed)
                    Output.progress(String(format: "%@  %.0f s  %d done  %d/s  %d failed  server RSS %.0f MB",
                                           phase, (ContinuousClock.now - begin).seconds, done - done0, done - last,
                                           driver.failed.load(ordering: .relaxed), Double(server.memory().rss) / 1e6))
                    last = done
                }
            }
        }
    }

    func stop() {
        task.withLock { $0?.cancel(); $0 = nil }
        Output.endProgress()
    }
}
