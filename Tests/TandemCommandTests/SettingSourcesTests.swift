import ArgumentParser
import Foundation
import Testing

@testable import tandem

/// Flags > environment > config file > defaults, for `tandem serve` (decision 0029).
@Suite("Setting sources")
struct SettingSourcesTests {
    static let yaml = """
        # a production file
        host: 0.0.0.0
        port: 9000
        number-digits: 3
        data-directory: /var/lib/tandem
        trusted-proxy: [10.0.0.0/8, 192.168.1.1]
        otel-endpoint: http://127.0.0.1:4318
        metrics-token: s3cret-token-from-the-file
        """

    static func parse(_ arguments: [String], environment: [String: String] = [:], yaml: String = yaml) throws -> Serve {
        let file = try ConfigFile.parse(yaml, path: "tandem.yaml")
        try file.check(known: SettingSources.knownNames())
        return try SettingSources.$current.withValue(SettingSources(environment: environment, file: file)) {
            try Serve.parse(arguments)
        }
    }

    @Test("A flag wins over the environment and the file; the environment over the file; the file over the default")
    func precedence() throws {
        let serve = try Self.parse(["--host", "127.0.0.2"], environment: ["TANDEM_HOST": "127.0.0.3", "TANDEM_PORT": "9100"])
        #expect(serve.host == "127.0.0.2")           // flag > environment > file
        #expect(serve.port == 9100)                  // environment > file
        #expect(serve.numberDigits == 3)             // file > default
        #expect(serve.bcryptCost == 10)              // default
        #expect(serve.db.dataDirectory == "/var/lib/tandem")
        #expect(serve.trustedProxy == ["10.0.0.0/8,192.168.1.1"])   // as TANDEM_TRUSTED_PROXIES would give it
        #expect(serve.otelEndpoint == "http://127.0.0.1:4318")
        #expect(serve.metricsToken == nil)           // a secret: read when used, never a default --help would print
        try SettingSources.$current.withValue(SettingSources(environment: [:], file: try ConfigFile.parse(Self.yaml, path: "f"))) {
            #expect(environment("TANDEM_METRICS_TOKEN") == "s3cret-token-from-the-file")
            #expect(!Serve.helpMessage().contains("s3cret"))
        }
    }

    @Test("--help never prints a secret from the environment: the database URL, the metrics token")
    func helpHidesSecrets() {
        let environment = ["TANDEM_DATABASE": "postgres://tandem:hunter2-secret@db/tandem", "TANDEM_METRICS_TOKEN": "hunter2-secret-token",
                           "TANDEM_SECRET_KEY": "hunter2-secret-key-hunter2-secret-key"]
        SettingSources.$current.withValue(SettingSources(environment: environment, file: nil)) {
            #expect(!Serve.helpMessage().contains("hunter2"))
        }
    }

    @Test("Without a file, the environment and the defaults are as before")
    func noFile() throws {
        let serve = try SettingSources.$current.withValue(SettingSources(environment: ["TANDEM_PORT": "8181"], file: nil)) {
            try Serve.parse([])
        }
        #expect(serve.port == 8181)
        #expect(serve.host == "127.0.0.1")
        #expect(serve.otelEndpoint == nil)
    }

    @Test("The keys are the long flag names of tandem serve, three spelled like their flag, not their variable")
    func keys() {
        let known = SettingSources.knownNames()
        for key in ["host", "port", "public-url", "database", "data-directory", "trusted-proxy", "otel-endpoint", "tls-certificate",
                    "metrics-token", "secret-key", "log-format", "challenge-lifetime"] {
            #expect(known.contains(ConfigFile.environmentName(forKey: key)), "\(key)")
        }
        #expect(!known.contains("TANDEM_CONFIG"))
        #expect(!known.contains("TANDEM_PASSWORD"))
    }

    @Test("An unknown key is refused with a one-line error naming it", arguments: ["prot: 80", "config: other.yaml", "password: x"])
    func unknownKey(_ line: String) throws {
        let file = try ConfigFile.parse("host: 0.0.0.0\n" + line, path: "tandem.yaml")
        let key = String(line.prefix { $0 != ":" })
        #expect(throws: ConfigFile.Problem(description: "config file tandem.yaml: unknown key '\(key)' (keys are the long flag names of tandem serve)")) {
            try file.check(known: SettingSources.knownNames())
        }
    }

    @Test("A bad file is refused without echoing any value",
          arguments: [
              ("database: postgres://u:hunter2-secret@db/tandem\n  - : [", "not valid YAML (line"),
              ("- hunter2-secret", "must be a mapping"),
              ("metrics-token:\n  nested: hunter2-secret", "not a mapping"),
              ("metrics-token: hunter2-secret\nmetrics-token: hunter2-secret", "key 'metrics-token' appears twice"),
              ("metrics-token:", "has no value"),
              ("trusted-proxy: [[hunter2-secret]]", "only values"),
          ])
    func badFile(_ yaml: String, _ expected: String) {
        do {
            _ = try ConfigFile.parse(yaml, path: "tandem.yaml")
            Issue.record("accepted: \(expected)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("hunter2"))
            #expect(!error.description.contains("\n"))
        }
    }

    @Test("A file with a secret that other users can read gets a warning naming the keys, never the values")
    func permissionWarning() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-config-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tandem.yaml").path
        func write(_ text: String, mode: Int) throws -> ConfigFile {
            try? FileManager.default.removeItem(atPath: path)
            #expect(FileManager.default.createFile(atPath: path, contents: Data(text.utf8)))
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
            return try ConfigFile.load(path: path)
        }
        let shared = try write("port: 1\nmetrics-token: hunter2-secret-token\ndatabase: postgres://t:hunter2@db/t\n", mode: 0o644)
        let warning = try #require(shared.permissionWarning())
        #expect(warning == "config file \(path) holds 'database', 'metrics-token' and other users can read it: chmod 600 \(path)")
        #expect(try write("metrics-token: hunter2-secret-token\n", mode: 0o600).permissionWarning() == nil)
        #expect(try write("port: 1\ndatabase: /var/lib/tandem/tandem.sqlite\n", mode: 0o644).permissionWarning() == nil)
    }

    @Test("Values are taken as written, for the flag's own parsing")
    func verbatim() throws {
        let file = try ConfigFile.parse("port: 08080\nlog-format: json\nhousekeeping-interval: 1e3", path: "f")
        #expect(file.values["TANDEM_PORT"] == "08080")
        #expect(file.values["TANDEM_LOG_FORMAT"] == "json")
        #expect(file.values["TANDEM_HOUSEKEEPING_INTERVAL"] == "1e3")
        #expect(try ConfigFile.parse("", path: "f").values.isEmpty)
    }

    @Test("--config is found before '--', in both spellings; TANDEM_CONFIG otherwise")
    func configPath() throws {
        #expect(SettingSources.configPath(arguments: ["serve", "--config", "a.yaml"]) == "a.yaml")
        #expect(SettingSources.configPath(arguments: ["serve", "--config=b.yaml", "--port", "1"]) == "b.yaml")
        #expect(SettingSources.configPath(arguments: ["users", "--", "--config", "c.yaml"]) == nil)
        #expect(SettingSources.configPath(arguments: ["serve"]) == nil)
        let none = try SettingSources.load(arguments: ["serve"], environment: ["TANDEM_PORT": "1"])
        #expect(none.file == nil && none.environment == ["TANDEM_PORT": "1"])
        #expect(throws: ConfigFile.Problem(description: "config file /nonexistent/t.yaml: cannot be read")) {
            try SettingSources.load(arguments: ["serve"], environment: ["TANDEM_CONFIG": "/nonexistent/t.yaml"])
        }
    }
}
