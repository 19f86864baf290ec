import ArgumentParser
import AuthenticatorKit
import Foundation
import TandemCore

/// `pending`: the requests waiting for an answer.
struct PendingCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pending",
        abstract: "List the sign-in requests waiting for an answer.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("User principal name or device id (optional with one account).", valueName: "account"))
    var account: String?

    @Flag(help: "Print {\"requests\":[…]} as JSON, as the server sent it.")
    var json = false

    func run() async throws {
        let authenticator = global.authenticator()
        let account = try authenticator.account(matching: account)
        let offers = try await authenticator.pending(account: account)
        if json {
            Console.line(String(decoding: try WireCoding.encoder().encode(PendingResponse(requests: offers)), as: UTF8.self))
            return
        }
        for notice in try await authenticator.notices(account: account) { Console.line(NoticeText.line(notice)) }
        if offers.isEmpty { Console.line("no pending requests") }
        for offer in offers {
            Console.line("\(offer.id) \(offer.kind.rawValue) \(offer.userPrincipalName) \(offer.context.application) \(offer.context.location) (\(offer.context.ipAddress))")
            if let message = offer.context.bindingMessage { Console.line("  Message: \(message)") }
        }
    }
}
