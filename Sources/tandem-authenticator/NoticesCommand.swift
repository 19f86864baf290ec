import ArgumentParser
import AuthenticatorKit
import Foundation
import TandemCore

/// `notices`: changes to the account's other authenticators not shown on this device yet.
struct NoticesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notices",
        abstract: "Show changes to your other authenticators (added, phone sign-in on or off) not shown here yet.")

    @OptionGroup var global: GlobalOptions

    @Option(help: ArgumentHelp("User principal name or device id (optional with one account).", valueName: "account"))
    var account: String?

    @Flag(help: "Print {\"notices\":[…]} as JSON, as the server sent it.")
    var json = false

    func run() async throws {
        let authenticator = global.authenticator()
        let account = try authenticator.account(matching: account)
        let notices = try await authenticator.notices(account: account)
        if json {
            Console.line(String(decoding: try WireCoding.encoder().encode(NoticesResponse(notices: notices)), as: UTF8.self))
            return
        }
        if notices.isEmpty { Console.line("no notices") }
        for notice in notices { Console.line(NoticeText.line(notice)) }
    }
}
