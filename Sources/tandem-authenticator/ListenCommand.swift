import ArgumentParser
import AuthenticatorKit

/// `listen`: keeps the push channel open and asks about each request interactively.
struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Wait for sign-in requests and answer them interactively.",
        discussion: """
            For each request: type the number shown in the browser (then the PIN), or 'deny', or \
            'report'. Prints 'connected' when the channel is ready, 'reconnecting' when it drops, \
            and 'withdrawn <id> (<reason>)' when a request is no longer answerable.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("User principal name or device id (optional with one account).", valueName: "account"))
    var account: String?

    @Flag(help: "Exit after the first answered request (exit code 1 unless the verdict is what was asked).")
    var once = false

    func run() async throws {
        let authenticator = global.authenticator()
        let account = try authenticator.account(matching: account)
        var session = ListenSession(authenticator: authenticator, account: account, once: once)
        if let success = try await session.run(), !success {
            throw ExitCode.failure
        }
    }
}
