import Foundation
import TandemStore
import Yams

/// The settings file of `--config FILE` / `TANDEM_CONFIG` (decision 0029): one YAML mapping whose
/// keys are the long flag names of `tandem serve` that have an environment variable.
///
/// ```yaml
/// # /etc/tandem/tandem.yaml
/// data-directory: /var/lib/tandem
/// host: 0.0.0.0
/// port: 8443
/// public-url: https://id.example.com
/// trusted-proxy: [10.0.0.0/8, 192.168.0.0/16]
/// otel-endpoint: http://127.0.0.1:4318
/// ```
///
/// - Precedence: a flag, else its environment variable, else the file, else the default.
/// - Each key stands for the environment variable of the flag with that name
///   (`public-url` → `TANDEM_PUBLIC_URL`); three are spelled differently:
///   `data-directory` → `TANDEM_DATA`, `trusted-proxy` → `TANDEM_TRUSTED_PROXIES`,
///   `otel-endpoint` → `OTEL_EXPORTER_OTLP_ENDPOINT`.
/// - A value is a string, number or boolean, read exactly as written (`port: 08080` is the text
///   `08080`, given to the flag's own parsing); a list (for `trusted-proxy`) is joined with commas.
/// - Refused with a one-line error and exit status 1: a key no flag has, the same key twice, a
///   nested mapping, an empty value, a file that is not a YAML mapping. Messages name the key and
///   the line, never a value: the file may hold the database password, `secret-key` or
///   `metrics-token`.
struct ConfigFile: Sendable {
    /// The file, for messages.
    let path: String
    /// The settings, by environment variable name.
    let values: [String: String]
    /// The key each setting was written as, by environment variable name.
    let keys: [String: String]

    /// Environment variables whose flag is named differently.
    static let spelledDifferently: [String: String] = [
        "data-directory": "TANDEM_DATA",
        "trusted-proxy": "TANDEM_TRUSTED_PROXIES",
        "otel-endpoint": "OTEL_EXPORTER_OTLP_ENDPOINT",
    ]

    /// The environment variable a key stands for.
    static func environmentName(forKey key: String) -> String {
        spelledDifferently[key] ?? "TANDEM_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
    }

    /// A problem with the file, as one line for the terminal.
    struct Problem: Error, CustomStringConvertible, Equatable {
        let description: String
    }

    /// Reads and parses `path`.
    static func load(path: String) throws(Problem) -> ConfigFile {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Problem(description: "config file \(path): cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Problem(description: "config file \(path): not UTF-8 text")
        }
        return try parse(text, path: path)
    }

    /// A warning when the file holds a secret and users other than its owner may read it (the
    /// key file is refused then; a config file may be shared on purpose, so only a warning).
    func permissionWarning() -> String? {
        let secrets = ["TANDEM_SECRET_KEY", "TANDEM_METRICS_TOKEN"].filter { values[$0] != nil }
            + (values["TANDEM_DATABASE"].map { PostgresURL.isPostgres($0) && $0.contains("@") } == true ? ["TANDEM_DATABASE"] : [])
        guard !secrets.isEmpty,
              let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int,
              mode & 0o077 != 0
        else { return nil }
        let names = secrets.compactMap { keys[$0] }.sorted().map { "'\($0)'" }.joined(separator: ", ")
        return "config file \(path) holds \(names) and other users can read it: chmod 600 \(path)"
    }

    /// Parses YAML `text` (read from `path`).
    static func parse(_ text: String, path: String) throws(Problem) -> ConfigFile {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch YamlError.duplicatedKeysInMapping(let duplicates, _) where !duplicates.isEmpty {
            throw Problem(description: "config file \(path): key '\(duplicates.sorted()[0])' appears twice")
        } catch {
            // Yams' own message quotes the offending line, which may be a secret: only its number.
            throw Problem(description: "config file \(path): not valid YAML\(Self.line(of: error).map { " (line \($0))" } ?? "")")
        }
        guard let node else { return ConfigFile(path: path, values: [:], keys: [:]) }   // empty file
        guard let mapping = node.mapping else {
            throw Problem(description: "config file \(path): must be a mapping of settings (key: value)")
        }
        var values: [String: String] = [:]
        var keys: [String: String] = [:]
        for (keyNode, valueNode) in mapping {
            guard let key = keyNode.scalar?.string, !key.isEmpty else {
                throw Problem(description: "config file \(path): line \(keyNode.mark?.line ?? 0): a key must be a name")
            }
            let name = environmentName(forKey: key)
            guard keys[name] == nil else { throw Problem(description: "config file \(path): key '\(key)' appears twice") }
            let value: String
            switch valueNode {
            case .scalar(let scalar) where valueNode.null == nil && !scalar.string.isEmpty:
                value = scalar.string
            case .sequence(let sequence):
                var items: [String] = []
                for item in sequence {
                    guard let text = item.scalar?.string, !text.isEmpty else {
                        throw Problem(description: "config file \(path): key '\(key)': a list may hold only values")
                    }
                    items.append(text)
                }
                value = items.joined(separator: ",")
            case .mapping:
                throw Problem(description: "config file \(path): key '\(key)': a value, not a mapping")
            default:
                throw Problem(description: "config file \(path): key '\(key)' has no value")
            }
            values[name] = value
            keys[name] = key
        }
        return ConfigFile(path: path, values: values, keys: keys)
    }

    /// Refuses a key that stands for none of `known` (the environment variables the commands read).
    func check(known: Set<String>) throws(Problem) {
        if let unknown = keys.filter({ !known.contains($0.key) }).values.sorted().first {
            throw Problem(description: "config file \(path): unknown key '\(unknown)' (keys are the long flag names of tandem serve)")
        }
    }

    private static func line(of error: any Error) -> Int? {
        guard let error = error as? YamlError else { return nil }
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return nil
        }
    }
}
