import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `tandem serve` as a child process, so its CPU time and memory can be read from /proc.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let url: String
    private let output: Pipe

    /// Starts `binary serve` on a free port and waits for its "listening" line (30 s at most).
    /// `wrapper` runs the server under another program (e.g. `valgrind --tool=massif`, `perf record -g --`).
    /// The bearer token of the server's `/metrics` (random per run).
    let metricsToken = "bench-" + UUID().uuidString

    init(binary: String, database: String, logLevel: String, wrapper: [String] = [], arguments: [String] = []) throws {
        // Thousands of simulated phones connect from one address: lift the per-address cap.
        let command = wrapper + [binary, "serve", "--port", "0", "--database", database, "--bcrypt-cost", "4", "--log-level", logLevel,
                                 "--max-connections-per-address", "100000", "--metrics-token", metricsToken] + arguments
        let executable = command[0].hasPrefix("/") ? command[0] : "/usr/bin/env"
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = executable == "/usr/bin/env" ? command : Array(command.dropFirst())
        output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        let lines = LineReader(output.fileHandleForReading)
        let deadline = Date().addingTimeInterval(wrapper.isEmpty ? 30 : 300)
        var found: Int?
        while found == nil, Date() < deadline, let line = lines.next() {
            if let range = line.range(of: #"\(port (\d+)\)"#, options: .regularExpression) {
                found = Int(line[range].dropFirst(6).dropLast())
            }
        }
        guard let found else {
            process.terminate()
            throw BenchError("tandem serve did not report its port")
        }
        port = found
        url = "http://127.0.0.1:\(found)"
        // Keep draining its standard output in the background.
        let handle = output.fileHandleForReading
        Thread { while !handle.availableData.isEmpty {} }.start()
    }

    var pid: Int32 { process.processIdentifier }

    /// User + system CPU seconds the server has used so far.
    func cpuSeconds() -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command: state(0) ppid … utime is field 14 overall → index 11 here, stime 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Resident memory now (VmRSS) and its peak so far (VmHWM), in bytes.
    func memory() -> (rss: Int, peak: Int) {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return (0, 0) }
        func kB(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key + ":") }) else { return 0 }
            return (Int(line.split(separator: " ").dropFirst().first { Int($0) != nil } ?? "0") ?? 0) * 1024
        }
        return (kB("VmRSS"), kB("VmHWM"))
    }

    func stop() {
        guard process.isRunning else { return }
        process.interrupt()
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning, Date() < deadline { usleep(50_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }
}

/// Reads lines from a pipe, blocking.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()

    init(_ handle: FileHandle) { self.handle = handle }

    func next() -> String? {
        while true {
            if let newline = buffer.firstIndex(of: 0x0A) {
                let line = String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self)
                buffer.removeSubrange(buffer.startIndex...newline)
                return line
            }
            let chunk = handle.availableData
            if chunk.isEmpty { return nil }
            buffer.append(chunk)
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}
