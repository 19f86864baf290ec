import ArgumentParser
import AuthenticatorKit

/// `phone-sign-in enable|disable [<account>]`.
struct PhoneSignInCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phone-sign-in",
        abstract: "Turn passwordless phone sign-in on or off for an account.")

    enum Action: String, ExpressibleByArgument, CaseIterable {
        case enable, disable
    }

    @OptionGroup var global: GlobalOptions

    @Argument(help: "enable or disable")
    var action: Action

    @Argument(help: ArgumentHelp("User principal name or device id (optional with one account).", valueName: "account"))
    var account: String?

    @Option(help: "The app PIN (enable only). Prompted for when omitted.")
    var pin: String?

    func run() async throws {
        let authenticator = global.authenticator()
        let account = try authenticator.account(matching: account)
        switch action {
        case .enable:
            let updated = try await authenticator.enablePhoneSignIn(account: account, pin: try Console.pin(pin))
            Console.line("phone sign-in on for \(updated.userPrincipalName)")
        case .disable:
            let updated = try await authenticator.disablePhoneSignIn(account: account)
            Console.line("phone sign-in off for \(updated.userPrincipalName)")
        }
    }
}
