import ArgumentParser
import AsyncHTTPClient
import Foundation
import Histogram
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// `tandem-bench`: the sign-in benchmark (docs/performance.md).
///
/// For each backend: creates N users with a registered phone (real P-256 keys) in a new
/// database, starts `tandem serve` as a child process, connects every phone over a real
/// WebSocket (memory per idle device), then runs complete passwordless sign-ins with C
/// concurrent users for a bounded time (throughput, server CPU), then at half that rate (push
/// delivery latency), and prints the figures beside the crypto floor measured in the same run.
@main
struct TandemBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem-bench",
        abstract: "Measures complete passwordless sign-ins against a real tandem server.")

    @Option(help: "Comma-separated backends: sqlite, postgres.") var backends = "sqlite,postgres"
    @Option(name: .customLong("postgres-url"), help: "PostgreSQL database for the postgres backend (default: env TANDEM_TEST_POSTGRES_URL); a fresh schema is used.")
    var postgresURL: String?
    @Option(help: "Users, each with one connected phone (also the idle-memory figure).") var users = 10_000
    @Option(help: "Concurrent sign-ins in the closed-loop phase.") var concurrency = 64
    @Option(help: "Seconds of each measured phase.") var duration = 20.0
    @Option(help: "Seconds of warm-up before measuring.") var warmup = 3.0
    @Option(name: .customLong("rate"), help: "Sign-ins per second of the paced phase (default: half the closed-loop rate).")
    var pacedRate: Double?
    @Option(name: .customLong("server"), help: "The tandem executable (default: beside this one).") var serverBinary: String?
    @Option(name: .customLong("server-log-level"), help: "The server's --log-level.") var serverLogLevel = "warning"
    @Option(name: .customLong("server-wrapper"), help: "Run the server under this command, e.g. 'valgrind --tool=massif' (space-separated).")
    var serverWrapper: String?
    @Flag(name: .customLong("idle-only"), help: "Stop after measuring the idle devices' memory (no sign-ins).") var idleOnly = false
    @Option(name: .customLong("ramp"), help: "Comma-separated sign-in rates per second: instead of the closed and paced phases, one open-loop step of --duration at each rate, with p50/p99 and shed counts per step.")
    var ramp: String?
    @Option(name: .customLong("server-args"), help: "More arguments for tandem serve (space-separated), e.g. '--max-concurrent-sign-ins 8'.")
    var serverArgs: String?
    @Option(name: .customLong("radius"), help: "Instead of the web sign-ins: N RADIUS sign-ins at once over UDP (Access-Challenge, push, approval, Access-Accept), with times to challenge and to accept.")
    var radius: Int?
    @Flag(name: .customLong("mfa"), help: "MFA sign-ins (password, then push with number matching) instead of passwordless ones; every user's password is hashed at --mfa-bcrypt-cost.")
    var mfa = false
    @Option(name: .customLong("mfa-bcrypt-cost"), help: "The bcrypt cost of the users' password hash with --mfa (tandem serve's production default is 10).")
    var mfaBcryptCost = 10

    func run() async throws {
        let floor = CryptoFloor.measure()
        Output.line(String(format: "crypto floor (this process, one thread): P-256 verify %.1f µs + ES256 sign %.1f µs = %.1f µs per sign-in",
                           floor.verifySeconds * 1e6, floor.signSeconds * 1e6, floor.perSignIn * 1e6))
        let server = serverBinary ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tandem").path
        guard FileManager.default.isExecutableFile(atPath: server) else { throw BenchError("no tandem executable at \(server) (build it or pass --server)") }
        var results: [BackendResult] = []
        for backend in backends.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let database: String
            var cleanup: () -> Void = {}
            switch backend {
            case "sqlite":
                let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-bench-\(UUID().uuidString)")
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                database = folder.appendingPathComponent("bench.sqlite").path
                cleanup = { try? FileManager.default.removeItem(at: folder) }
            case "postgres":
                guard let base = postgresURL ?? ProcessInfo.processInfo.environment["TANDEM_TEST_POSTGRES_URL"] else {
                    throw BenchError("the postgres backend needs --postgres-url or TANDEM_TEST_POSTGRES_URL")
                }
                let schema = "bench_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12).lowercased()
                database = base + (base.contains("?") ? "&" : "?") + "search_path=\(schema)"
            default:
                throw BenchError("unknown backend \(backend)")
            }
            defer { cleanup() }
            if let radius {
                guard radius > 0 else { throw BenchError("--radius needs a positive number of sign-ins") }
                try await RadiusRun(name: backend, users: radius, binary: server, database: database, serverLogLevel: serverLogLevel,
                                    serverArgs: serverArgs?.split(separator: " ").map(String.init) ?? []).run()
                continue
            }
            results.append(try await runBackend(backend, database: database, server: server, floor: floor))
        }
        guard !results.isEmpty else { return }
        Output.line("")
        Output.line(BackendResult.table(results, floor: floor))
    }

    private func runBackend(_ name: String, database: String, server binary: String, floor: CryptoFloor) async throws -> BackendResult {
        var template: String? = nil
        if mfa {
            // One real hash at the production cost, made by the CLI and copied to every user.
            template = "mfa-template@bench.tandem.test"
            _ = try RadiusRun.tandem(binary, ["users", "add", template!, "--password=\(Self.mfaPassword)", "--bcrypt-cost", "\(mfaBcryptCost)",
                                              "--database", database])
            let bcrypt = BcryptCost.measure(cost: mfaBcryptCost)
            Output.line(String(format: "bcrypt verification at cost %d (this process, one thread): %.2f ms", mfaBcryptCost, bcrypt * 1e3))
        }
        Output.line("== \(name): seeding \(users) users with a registered phone\(mfa ? " and a password (MFA sign-ins)" : "")")
        let devices = try await Seeder.seed(database: database, count: users, passwordOf: template) { Output.progress("[\(name)] seeded \($0)/\(users)") }
        Output.endProgress()
        let server = try ServerProcess(binary: binary, database: database, logLevel: serverLogLevel,
                                       wrapper: serverWrapper?.split(separator: " ").map(String.init) ?? [],
                                       arguments: serverArgs?.split(separator: " ").map(String.init) ?? [])
        defer { server.stop() }
        Output.line("[\(name)] tandem serve pid \(server.pid) on \(server.url)")
        try await Task.sleep(for: .seconds(1))
        let before = server.memory().rss

        let fleet = DeviceFleet(serverURL: server.url)
        let connectStart = ContinuousClock.now
        try await fleet.connectAll(devices) { Output.progress("[\(name)] devices connected \($0)/\(devices.count)") }
        Output.endProgress()
        let connectTime = ContinuousClock.now - connectStart
        try await Task.sleep(for: .seconds(2))
        let after = server.memory().rss
        let perDevice = Double(after - before) / Double(devices.count)
        Output.line(String(format: "[\(name)] %d devices connected in %.1f s; server RSS %.1f → %.1f MB: %.1f KB per idle device",
                           devices.count, connectTime.seconds, Double(before) / 1e6, Double(after) / 1e6, perDevice / 1024))
        if idleOnly {
            return BackendResult(name: name, idleDevices: devices.count, bytesPerIdleDevice: perDevice, concurrency: 0, signInsPerSecond: 0,
                                 completed: 0, failed: 0, closed: .init(), serverCPUPerThousand: .nan, clientCPUPerThousand: .nan,
                                 pacedRate: 0, pacedAchieved: 0, pacedFailed: 0, paced: .init(), peakServerMemory: server.memory().peak,
                                 droppedChannels: fleet.dropped.load(ordering: .relaxed), loadAverage: Self.loadAverage())
        }

        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: .init(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .seconds(60)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(64, concurrency * 3))))
        do {
            let driver = SignInDriver(baseURL: server.url, http: http, fleet: fleet, devices: devices, password: mfa ? Self.mfaPassword : nil)
            if let ramp {
                let rates = ramp.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard !rates.isEmpty, rates.allSatisfy({ $0 > 0 }) else { throw BenchError("--ramp needs positive rates, e.g. 20,40,80") }
                try await RampRun(name: name, driver: driver, server: server, http: http, duration: duration, warmup: warmup).run(rates: rates)
                try await http.shutdown()
                return BackendResult(name: name, idleDevices: devices.count, bytesPerIdleDevice: perDevice, concurrency: 0, signInsPerSecond: 0,
                                     completed: 0, failed: 0, closed: .init(), serverCPUPerThousand: .nan, clientCPUPerThousand: .nan,
                                     pacedRate: 0, pacedAchieved: 0, pacedFailed: 0, paced: .init(), peakServerMemory: server.memory().peak,
                                     droppedChannels: fleet.dropped.load(ordering: .relaxed), loadAverage: Self.loadAverage())
            }
            let result = try await measure(name, driver: driver, server: server, floor: floor, idleDevices: devices.count, perDevice: perDevice)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    private func measure(_ name: String, driver: SignInDriver, server: ServerProcess, floor: CryptoFloor,
                         idleDevices: Int, perDevice: Double) async throws -> BackendResult {
        // Warm-up, not recorded.
        let progress = ProgressLine(driver: driver, server: server)
        progress.start("[\(name)] warm-up")
        _ = await driver.closedLoop(concurrency: concurrency, until: .now + .seconds(warmup))
        progress.stop()

        // Closed loop: throughput and CPU.
        progress.start("[\(name)] closed loop, \(concurrency) concurrent")
        let cpu0 = server.cpuSeconds()
        let done0 = driver.completed.load(ordering: .relaxed)
        let failed0 = driver.failed.load(ordering: .relaxed)
        let clientCPU0 = Self.processCPU()
        let start = ContinuousClock.now
        let closed = await driver.closedLoop(concurrency: concurrency, until: start + .seconds(duration))
        let elapsed = (ContinuousClock.now - start).seconds
        let cpu = server.cpuSeconds() - cpu0
        let clientCPU = Self.processCPU() - clientCPU0
        let done = driver.completed.load(ordering: .relaxed) - done0
        let failed = driver.failed.load(ordering: .relaxed) - failed0
        progress.stop()
        let rate = Double(done) / elapsed

        // Paced at half the rate: push delivery when the server is not saturated.
        let paced = pacedRate ?? max(1, (rate / 2).rounded())
        progress.start("[\(name)] paced at \(Int(paced))/s")
        let pacedFailed0 = driver.failed.load(ordering: .relaxed)
        let pacedDone0 = driver.completed.load(ordering: .relaxed)
        let pacedStart = ContinuousClock.now
        let open = await driver.openLoop(rate: paced, until: pacedStart + .seconds(duration))
        let pacedElapsed = (ContinuousClock.now - pacedStart).seconds
        progress.stop()
        let pacedDone = driver.completed.load(ordering: .relaxed) - pacedDone0
        let pacedFailed = driver.failed.load(ordering: .relaxed) - pacedFailed0

        if let error = driver.lastErrorText, failed + pacedFailed > 0 { Output.line("[\(name)] last error: \(error)") }
        let result = BackendResult(
            name: name, idleDevices: idleDevices, bytesPerIdleDevice: perDevice, concurrency: concurrency,
            signInsPerSecond: rate, completed: done, failed: failed, closed: closed,
            serverCPUPerThousand: done > 0 ? cpu / Double(done) * 1000 : .nan, clientCPUPerThousand: done > 0 ? clientCPU / Double(done) * 1000 : .nan,
            pacedRate: paced, pacedAchieved: Double(pacedDone) / pacedElapsed, pacedFailed: pacedFailed, paced: open,
            peakServerMemory: server.memory().peak, droppedChannels: driver.fleet.dropped.load(ordering: .relaxed),
            loadAverage: Self.loadAverage())
        Output.line(result.report(floor: floor))
        return result
    }

    static let mfaPassword = "bench mfa password"

    /// The machine's 1-minute load average (other processes share these 2 cores).
    static func loadAverage() -> String {
        (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").prefix(3).joined(separator: " ") ?? "?"
    }

    /// This process's user + system CPU seconds.
    static func processCPU() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
