import ArgumentParser
import AuthenticatorKit
import Foundation
import TandemCore

/// `add <activation URL>`: registers this authenticator for an account.
struct AddCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Add an account from the activation link shown on the security-info page.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: ArgumentHelp("<server>/device/v1/activate?code=CODE", valueName: "activation-url"))
    var activationURL: String

    @Option(help: "A name for this device, shown in the account's security info.")
    var name: String?

    @Option(help: "The app PIN (a new PIN: 6-16 digits). Prompted for when omitted.")
    var pin: String?

    @Option(help: "Approve the confirmation request right away with this number from the browser.")
    var number: String?

    func run() async throws {
        let authenticator = global.authenticator()
        _ = try ActivationLink(parsing: activationURL)
        if let number, !NumberMatch.isWellFormed(number) {
            throw AuthenticatorError(.invalidInput, "the number must be 1 to 8 digits")
        }
        let pin = try pin ?? promptNewPIN(authenticator)
        _ = try authenticator.keyStore.hasPINProtectedKeys() ? PINPolicy.validate(pin) : PINPolicy.validateNew(pin)
        let account = try await authenticator.add(activationURL: activationURL, deviceName: deviceName, pin: pin)
        Console.line("added \(account.userPrincipalName) (\(account.displayName)) device \(account.deviceId) on \(account.serverURL.absoluteString)")
        if account.totpSecretLabel != nil {
            Console.line("Verification codes are on for this account: tandem-authenticator code \(account.userPrincipalName)")
        }
        guard let number else {
            let accounts = try authenticator.accounts()
            let sameName = accounts.filter { $0.userPrincipalName.lowercased() == account.userPrincipalName.lowercased() }
            let accountHint = accounts.count < 2 ? "" : " --account \(sameName.count > 1 ? account.deviceId : account.userPrincipalName)"
            Console.line("A confirmation request is waiting. Type the number shown in your browser with: tandem-authenticator approve --number N\(accountHint)")
            return
        }
        let offer = try await registrationRequest(authenticator, account)
        let response = try await authenticator.approve(offer: offer, account: account, number: number, pin: pin)
        Console.line(response.verdict)
        if !response.matches(.approve) { throw ExitCode.failure }
    }

    private var deviceName: String {
        if let name { return name }
        return String("tandem-authenticator on \(ProcessInfo.processInfo.hostName)".prefix(100))
    }

    /// "New PIN" and "Confirm PIN" for the first PIN; only "PIN" once a PIN exists.
    private func promptNewPIN(_ authenticator: Authenticator) throws -> String {
        if try authenticator.keyStore.hasPINProtectedKeys() {
            return try Console.pin(nil)
        }
        guard let first = Console.readSecret("New PIN: ") else { throw AuthenticatorError(.invalidPIN, "no PIN given") }
        _ = try PINPolicy.validateNew(first)
        guard let second = Console.readSecret("Confirm PIN: ") else { throw AuthenticatorError(.invalidPIN, "no PIN given") }
        guard ConstantTime.equals(first, second) else { throw AuthenticatorError(.invalidPIN, "the PINs do not match") }
        return first
    }

    /// The registration request the server creates for a new device (retried briefly).
    private func registrationRequest(_ authenticator: Authenticator, _ account: Account) async throws -> ChallengeOffer {
        for attempt in 0..<10 {
            let offers = try await authenticator.pending(account: account).filter { $0.kind == .registration }
            if let offer = offers.first { return offer }
            if attempt < 9 { try await Task.sleep(for: .milliseconds(300)) }
        }
        throw AuthenticatorError(.invalidInput, "no confirmation request is waiting for \(account.userPrincipalName)")
    }
}
