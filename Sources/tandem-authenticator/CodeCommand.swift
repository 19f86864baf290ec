import ArgumentParser
import AuthenticatorKit

/// `code [<account>]`: the current verification code(s) and the seconds they stay valid.
struct CodeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "code",
        abstract: "Show the current verification code (TOTP) and the seconds it stays valid.",
        discussion: """
            Prints '<code> (<n> s left) <user principal name>', one line per account. Without an \
            account, every account that has verification codes. Codes exist when the organisation's \
            policy turns on software OATH for the account when it is added. No PIN is needed.
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("User principal name or device id (default: every account with codes).", valueName: "account"))
    var account: String?

    func run() async throws {
        let authenticator = global.authenticator()
        let accounts: [Account]
        if let account {
            accounts = [try authenticator.account(matching: account)]
        } else {
            accounts = try authenticator.accountsWithCodes()
            if accounts.isEmpty {
                throw AuthenticatorError(.keyNotFound, "no account has verification codes on this device")
            }
        }
        for account in accounts {
            Console.line(Self.line(try authenticator.verificationCode(account: account)))
        }
    }

    static func line(_ code: VerificationCode) -> String {
        "\(code.code) (\(code.secondsRemaining) s left) \(code.account.userPrincipalName)"
    }
}
