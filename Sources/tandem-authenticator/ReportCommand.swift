import ArgumentParser
import AuthenticatorKit

/// `report`: "No, it's not me" — denies the pending request and reports it (no PIN).
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Report the pending request as not yours: deny it and flag it (no PIN needed).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: RequestSelection

    func run() async throws {
        let authenticator = global.authenticator()
        let (account, offer) = try await selection.resolve(with: authenticator)
        let response = try await authenticator.report(offer: offer, account: account)
        Console.line(response.verdict)
        if !response.matches(.report) { throw ExitCode.failure }
    }
}
