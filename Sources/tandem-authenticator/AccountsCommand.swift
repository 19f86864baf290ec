import ArgumentParser
import AuthenticatorKit

/// `accounts`: one line per account.
struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts",
        abstract: "List accounts: device id, user principal name, server, phone sign-in on/off, verification codes on/off.")

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        for account in try global.authenticator().accounts() {
            Console.line(Self.line(account))
        }
    }

    static func line(_ account: Account) -> String {
        "\(account.deviceId) \(account.userPrincipalName) \(account.serverURL.absoluteString) phone-sign-in:\(account.phoneSignInEnabled ? "on" : "off") codes:\(account.totpSecretLabel == nil ? "off" : "on")"
    }
}
