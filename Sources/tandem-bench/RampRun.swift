import AsyncHTTPClient
import Foundation
import Histogram
import NIOCore

/// `--ramp`: open-loop steps at rising sign-in rates (decision 0028). Each step prints the rate
/// offered and achieved, the sign-ins completed, shed (503 at `POST /login`) and failed, the
/// whole-sign-in p50/p99/max of the completed ones, the p99 of a shed answer, and the server's
/// own count of shed requests per class from `/metrics` over the step.
struct RampRun {
    let name: String
    let driver: SignInDriver
    let server: ServerProcess
    let http: HTTPClient
    let duration: Double
    let warmup: Double

    struct Step {
        var rate: Double
        var elapsed: Double
        var completed: Int
        var shed: Int
        var shedLater: Int
        var failed: Int
        var histograms: SignInDriver.Histograms
        var serverShed: [String: Double]
        var cpu: Double
    }

    func run(rates: [Double]) async throws {
        if warmup > 0 {
            Output.line("[\(name)] warm-up at \(Int(rates[0]))/s for \(Int(warmup)) s")
            _ = await driver.openLoop(rate: rates[0], until: .now + .seconds(warmup))
        }
        var steps: [Step] = []
        for rate in rates {
            let progress = ProgressLine(driver: driver, server: server)
            progress.start("[\(name)] ramp step \(Int(rate))/s")
            let before = (completed: driver.completed.load(ordering: .relaxed), shed: driver.shed.load(ordering: .relaxed),
                          later: driver.shedLater.load(ordering: .relaxed), failed: driver.failed.load(ordering: .relaxed))
            let shed0 = try await serverShed()
            let cpu0 = server.cpuSeconds()
            let start = ContinuousClock.now
            let histograms = await driver.openLoop(rate: rate, until: start + .seconds(duration))
            let elapsed = (ContinuousClock.now - start).seconds
            progress.stop()
            let shed1 = try await serverShed()
            let step = Step(rate: rate, elapsed: elapsed,
                            completed: driver.completed.load(ordering: .relaxed) - before.completed,
                            shed: driver.shed.load(ordering: .relaxed) - before.shed,
                            shedLater: driver.shedLater.load(ordering: .relaxed) - before.later,
                            failed: driver.failed.load(ordering: .relaxed) - before.failed,
                            histograms: histograms,
                            serverShed: shed1.merging(shed0.mapValues { -$0 }, uniquingKeysWith: +),
                            cpu: server.cpuSeconds() - cpu0)
            Output.line(Self.line(name, step))
            steps.append(step)
        }
        if let error = driver.lastErrorText, steps.contains(where: { $0.failed + $0.shedLater > 0 }) { Output.line("[\(name)] last error: \(error)") }
        Output.line("")
        Output.line(Self.table(name, steps))
    }

    static func line(_ name: String, _ step: Step) -> String {
        let total = step.histograms.total
        let byClass = step.serverShed.filter { $0.value != 0 }.sorted { $0.key < $1.key }.map { "\($0.key) \(Int($0.value))" }.joined(separator: ", ")
        return String(format: "[%@] %4.0f/s offered: %4.0f/s completed (%d), %d shed at POST /login, %d shed later, %d failed; whole sign-in ms p50 %@ p99 %@ max %@; shed answer ms p99 %@; server CPU %.0f%%; server counted shed: %@",
                      name, step.rate, Double(step.completed) / step.elapsed, step.completed, step.shed, step.shedLater, step.failed,
                      BackendResult.ms(total, 50), BackendResult.ms(total, 99), BackendResult.ms(total, 100),
                      BackendResult.ms(step.histograms.shed, 99), step.cpu / step.elapsed * 100, byClass.isEmpty ? "none" : byClass)
    }

    static func table(_ name: String, _ steps: [Step]) -> String {
        var lines = ["| \(name): offered /s | completed /s | shed at POST /login | shed later | failed | p50 ms | p99 ms | max ms | shed answer p99 ms | server CPU |",
                     "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for step in steps {
            let total = step.histograms.total
            lines.append(String(format: "| %.0f | %.0f | %d | %d | %d | %@ | %@ | %@ | %@ | %.0f%% |", step.rate, Double(step.completed) / step.elapsed,
                                step.shed, step.shedLater, step.failed, BackendResult.ms(total, 50), BackendResult.ms(total, 99),
                                BackendResult.ms(total, 100), BackendResult.ms(step.histograms.shed, 99), step.cpu / step.elapsed * 100))
        }
        return lines.joined(separator: "\n")
    }

    /// `tandem_requests_shed_total` by class (both reasons summed), from the server's `/metrics`.
    func serverShed() async throws -> [String: Double] {
        var request = HTTPClientRequest(url: server.url + "/metrics")
        request.headers.add(name: "authorization", value: "Bearer \(server.metricsToken)")
        let response = try await http.execute(request, timeout: .seconds(30))
        let text = String(buffer: try await response.body.collect(upTo: 8 << 20))
        var counts: [String: Double] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("tandem_requests_shed_total{") {
            guard let start = line.range(of: "class=\""), let end = line[start.upperBound...].firstIndex(of: "\""),
                  let value = Double(line.split(separator: " ").last ?? "") else { continue }
            counts[String(line[start.upperBound..<end]), default: 0] += value
        }
        return counts
    }
}
