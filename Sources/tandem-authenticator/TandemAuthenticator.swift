import ArgumentParser
import AuthenticatorKit
import Foundation

/// `tandem-authenticator`: the authenticator app on the command line. It plays the phone: adds
/// accounts from activation links, answers sign-in requests with number matching and a PIN.
@main
struct TandemAuthenticator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tandem-authenticator",
        abstract: "A Tandem authenticator: approve sign-ins with number matching and a PIN.",
        discussion: """
            Accounts and keys live in --home (default: $TANDEM_AUTHENTICATOR_HOME, else \
            ~/.tandem-authenticator). Test only: TANDEM_AUTHENTICATOR_TEST_KDF=1 makes new PIN-protected \
            keys use a cheap scrypt cost.
            """,
        version: Authenticator.appVersion,
        subcommands: [
            AddCommand.self, AccountsCommand.self, PhoneSignInCommand.self, PendingCommand.self, NoticesCommand.self, ChangePINCommand.self,
            ApproveCommand.self, DenyCommand.self, ReportCommand.self, ListenCommand.self, CodeCommand.self,
        ]
    )

    /// Runs the command; every failure becomes one `error: …` line on stderr and exit code 1.
    static func main() async {
        defer { noteClockOffsets() }
        do {
            var command = try parseAsRoot(movingGlobalOptions(Array(CommandLine.arguments.dropFirst())))
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let code as ExitCode {
            Self.exit(withError: code)
        } catch {
            if exitCode(for: error) == .success { Self.exit(withError: error) }  // --help, --version
            Console.error(describe(error))
            noteClockOffsets()
            Self.exit(withError: ExitCode.failure)
        }
    }

    /// Says on stderr when this device's clock was found off a server's (decision 0028): the
    /// requests were signed with the server's time, but the clock should be fixed.
    static func noteClockOffsets() {
        for (server, offset) in ServerClockOffsets.shared.noticeable() {
            FileHandle.standardError.write(Data("note: \(clockNote(offset: offset, server: server))\n".utf8))
        }
    }

    static func clockNote(offset: Int64, server: String) -> String {
        let minutes = (Double(abs(offset)) / 60).rounded()
        let amount = minutes >= 1 ? "\(Int(minutes)) minute\(minutes == 1 ? "" : "s")" : "\(abs(offset)) seconds"
        // offset = server - device: a positive offset means the device is behind.
        return "this device's clock is \(amount) \(offset > 0 ? "behind" : "ahead of") \(server); signed requests used the server's time. "
            + "Set the date and time to automatic."
    }

    /// Lets `--home DIR` come before the subcommand too (`tandem-authenticator --home DIR add …`)
    /// by moving it just after the subcommand's name, where the subcommand's options are parsed.
    static func movingGlobalOptions(_ arguments: [String]) -> [String] {
        var global: [String] = []
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("--home") {
            if arguments[index] == "--home", index + 1 < arguments.count {
                global += arguments[index...index + 1]
                index += 2
            } else if arguments[index].hasPrefix("--home=") {
                global.append(arguments[index])
                index += 1
            } else {
                break
            }
        }
        guard !global.isEmpty, index < arguments.count else { return arguments }
        return [arguments[index]] + global + arguments[(index + 1)...]
    }

    /// One line for any error.
    static func describe(_ error: any Error) -> String {
        let text: String
        if let error = error as? AuthenticatorError {
            text = error.description
        } else {
            text = message(for: error)
        }
        let line = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return line.hasPrefix("Error: ") ? String(line.dropFirst(7)) : line
    }
}
