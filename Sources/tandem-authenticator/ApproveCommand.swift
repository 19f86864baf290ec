import ArgumentParser
import AuthenticatorKit
import TandemCore

/// `approve --number N`: approves the pending request with the number from the browser.
struct ApproveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve the pending request with the number shown in the browser (needs the PIN).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var selection: RequestSelection

    @Option(help: "The number shown in the browser.")
    var number: String

    @Option(help: "The app PIN. Prompted for when omitted.")
    var pin: String?

    func run() async throws {
        guard NumberMatch.isWellFormed(number) else {
            throw AuthenticatorError(.invalidInput, "the number must be 1 to 8 digits")
        }
        let authenticator = global.authenticator()
        let (account, offer) = try await selection.resolve(with: authenticator)
        _ = try authenticator.approvalKeyLabel(for: offer.kind, account: account)
        let response = try await authenticator.approve(offer: offer, account: account, number: number, pin: try Console.pin(pin))
        Console.line(response.verdict)
        if !response.matches(.approve) { throw ExitCode.failure }
    }
}
