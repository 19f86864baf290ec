import Foundation
import Synchronization

/// Where a setting comes from when its flag is not given: the environment variable, then the
/// config file (`ConfigFile`), then the option's default (decision 0029).
///
/// Every option's default reads `environment("TANDEM_…")`, which asks the task's current sources,
/// so flags > environment > file > defaults holds for every option without a second table. Tests
/// parse a command inside `SettingSources.$current.withValue(…)` with their own environment.
struct SettingSources: Sendable {
    var environment: [String: String]
    var file: ConfigFile?
    /// Collects the names asked for (`knownNames`).
    var recorder: NameRecorder? = nil

    @TaskLocal static var current = SettingSources(environment: ProcessInfo.processInfo.environment, file: nil)

    /// The environment's value for `name`, else the file's.
    func value(_ name: String) -> String? {
        recorder?.record(name)
        return environment[name] ?? file?.values[name]
    }

    /// The environment variable names `tandem serve` reads (its options and option groups, the
    /// data folder and database among them): what a config file key may stand for. Collected by
    /// building its help, which evaluates each option's default.
    static func knownNames() -> Set<String> {
        let recorder = NameRecorder()
        $current.withValue(SettingSources(environment: [:], file: nil, recorder: recorder)) {
            _ = Serve.helpMessage()
        }
        return recorder.names.subtracting(["TANDEM_CONFIG"]).union(readWhenUsed)
    }

    /// Secrets `tandem serve` reads when it uses them rather than as an option's default, so that
    /// `--help` (which prints defaults) never shows them.
    static let readWhenUsed: Set<String> = ["TANDEM_DATABASE", "TANDEM_SECRET_KEY", "TANDEM_SECRET_KEY_FILE", "TANDEM_METRICS_TOKEN"]

    /// The sources for `arguments`: the config file named by `--config FILE` (or `--config=FILE`),
    /// else by `TANDEM_CONFIG`, loaded and checked; none without either.
    static func load(arguments: [String], environment: [String: String]) throws(ConfigFile.Problem) -> SettingSources {
        guard let path = configPath(arguments: arguments) ?? environment["TANDEM_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) else {
            return SettingSources(environment: environment, file: nil)
        }
        let file = try ConfigFile.load(path: path)
        try file.check(known: knownNames())
        return SettingSources(environment: environment, file: file)
    }

    /// The value of the first `--config` before a `--`.
    static func configPath(arguments: [String]) -> String? {
        var rest = arguments[...]
        while let argument = rest.popFirst(), argument != "--" {
            if argument == "--config" { return rest.first }
            if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
        }
        return nil
    }
}

/// Names asked for, from any thread.
final class NameRecorder: Sendable {
    private let asked = Mutex<Set<String>>([])
    func record(_ name: String) { asked.withLock { _ = $0.insert(name) } }
    var names: Set<String> { asked.withLock { $0 } }
}

/// A setting's value when its flag is not given: the environment, then the config file.
func environment(_ name: String) -> String? { SettingSources.current.value(name) }
