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
        subcommands: [Serve.self, Users.self, Migrate.self])
}

/// Options shared by the commands that open the store.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: "SQLite file (env TANDEM_DATABASE).")
    var database: String = ProcessInfo.processInfo.environment["TANDEM_DATABASE"] ?? "tandem.sqlite"

    func open(migrate: Bool = true) async throws -> SQLStore {
        if database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") {
            throw ValidationError("PostgreSQL is not supported yet; give a SQLite file path")
        }
        do {
            return try await SQLStore.openSQLite(path: database, migrate: migrate, logger: Logger(label: "tandem.store"))
        } catch {
            throw CLIError("cannot open database \(database): \(error)")
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
