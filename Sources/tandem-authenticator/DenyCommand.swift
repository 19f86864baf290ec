import ArgumentParser
import AuthenticatorKit

/// `deny`: refuses the pending request (no PIN).
struct DenyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deny",
        abstract: "Deny the pending request (no PIN needed).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: RequestSelection

    func run() async throws {
        let authenticator = global.authenticator()
        let (account, offer) = try await selection.resolve(with: authenticator)
        let response = try await authenticator.deny(offer: offer, account: account)
        Console.line(response.verdict)
        if !response.matches(.deny) { throw ExitCode.failure }
    }
}
