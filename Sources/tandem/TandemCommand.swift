import ArgumentParser
import Foundation
import Logging
import TandemServer
import TandemServices
import TandemStore

@main
struct TandemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem",
        abstract: "Tandem: self-hosted push sign-in with number matching and passwordless phone sign-in.",
        subcommands: [Serve.self, Users.self, Admin.self, Migrate.self, Backup.self, Restore.self])

    /// ArgumentParser's entry point, run inside the setting sources: the environment and the
    /// config file of `--config` / `TANDEM_CONFIG`, loaded and checked before any option's default
    /// is read (decision 0029).
    static func main() async {
        let sources: SettingSources
        do {
            sources = try SettingSources.load(arguments: Array(CommandLine.arguments.dropFirst()),
                                              environment: ProcessInfo.processInfo.environment)
        } catch {
            FileHandle.standardError.write(Data("error: \(error.description)\n".utf8))
            Foundation.exit(1)
        }
        if let warning = sources.file?.permissionWarning() {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        await SettingSources.$current.withValue(sources) {
            do {
                var command = try parseAsRoot()
                if var asyncCommand = command as? any AsyncParsableCommand {
                    try await asyncCommand.run()
                } else {
                    try command.run()
                }
            } catch {
                exit(withError: error)
            }
        }
    }
}

/// Options shared by the commands that open the store: the data folder (database and secret key)
/// and, to put the database elsewhere, `--database`.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .customLong("data-directory"),
            help: "Folder holding tandem.sqlite and tandem.secret-key, created (mode 0700) if missing (env TANDEM_DATA). Default: the current folder.")
    var dataDirectory: String = environment("TANDEM_DATA") ?? "."
    // Read from the environment (or the config file) when used, not as a default value, so
    // `--help` never prints a PostgreSQL password.
    @Option(name: .customLong("database"), help: "SQLite file, or postgres://user:password@host:port/database (env TANDEM_DATABASE). Default: <data-directory>/tandem.sqlite.")
    var databaseFlag: String?
    /// `--database`, else `TANDEM_DATABASE`.
    var databaseOption: String? { databaseFlag ?? environment("TANDEM_DATABASE") }
    @Option(name: .customLong("config"),
            help: "YAML file of settings, keys named like the long flags of tandem serve; flags and environment variables win over it (env TANDEM_CONFIG).")
    var configFile: String? = environment("TANDEM_CONFIG")

    /// The SQLite path or PostgreSQL URL in use.
    var database: String { databaseOption.flatMap { $0.isEmpty ? nil : $0 } ?? DataDirectory.join(dataDirectory, DataDirectory.databaseName) }

    /// Whether the store is PostgreSQL.
    var isPostgres: Bool { PostgresURL.isPostgres(database) }

    /// The default secret key file: beside a SQLite file given with `--database` (`x.sqlite` →
    /// `x.secret-key`), else `tandem.secret-key` in the data folder.
    var secretKeyPath: String {
        if databaseOption != nil, !isPostgres { return OIDCSecretKey.defaultPath(databasePath: database) }
        return DataDirectory.join(dataDirectory, DataDirectory.secretKeyName)
    }

    /// The database for messages: a PostgreSQL URL without its password.
    var displayName: String {
        PostgresURL.isPostgres(database) ? ((try? PostgresURL(database))?.redacted ?? "postgres://…") : database
    }

    func open(migrate: Bool = true) async throws -> SQLStore {
        try DataDirectory.prepare(dataDirectory)
        do {
            if PostgresURL.isPostgres(database) {
                return try await SQLStore.openPostgres(url: database, migrate: migrate, logger: Logger(label: "tandem.store"))
            }
            // A new database file is made 0600 before SQLite opens it (password hashes, sealed keys):
            // SQLite gives the -wal and -shm files the database file's mode.
            if !FileManager.default.fileExists(atPath: database) {
                let descriptor = Foundation.open(database, O_WRONLY | O_CREAT | O_EXCL, 0o600)
                if descriptor >= 0 { close(descriptor) }
            }
            return try await SQLStore.openSQLite(path: database, migrate: migrate, logger: Logger(label: "tandem.store"))
        } catch let error as TandemError {
            throw CLIError("cannot open database \(displayName): \(error.message)")
        } catch {
            throw CLIError("cannot open database \(displayName): \(String(reflecting: error))")
        }
    }
}

/// A one-line error for the terminal.
struct CLIError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

/// Runs `body` with an open store and always closes it.
func withStore<T>(_ options: DatabaseOptions, migrate: Bool = true, _ body: (SQLStore) async throws -> T) async throws -> T {
    let store = try await options.open(migrate: migrate)
    do {
        let result = try await body(store)
        try await store.close()
        return result
    } catch {
        try? await store.close()
        throw error
    }
}

/// Prints `message` to standard error and exits 1 (no stack trace, no crash).
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode.failure
}
