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
        subcommands: [Serve.self, Users.self, Admin.self, Migrate.self])
}

/// Options shared by the commands that open the store.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite file, or postgres://user:password@host:port/database (env TANDEM_DATABASE).")
    var database: String = ProcessInfo.processInfo.environment["TANDEM_DATABASE"] ?? "tandem.sqlite"

    /// The database for messages: a PostgreSQL URL without its password.
    var displayName: String {
        PostgresURL.isPostgres(database) ? ((try? PostgresURL(database))?.redacted ?? "postgres://…") : database
    }

    func open(migrate: Bool = true) async throws -> SQLStore {
        do {
            if PostgresURL.isPostgres(database) {
                return try await SQLStore.openPostgres(url: database, migrate: migrate, logger: Logger(label: "tandem.store"))
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

func environment(_ name: String) -> String? { ProcessInfo.processInfo.environment[name] }
