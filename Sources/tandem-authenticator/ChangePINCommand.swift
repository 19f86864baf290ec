import ArgumentParser
import AuthenticatorKit
import Foundation
import TandemCore

/// `change-pin`: a new app PIN for every PIN-protected key, at today's scrypt cost.
struct ChangePINCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "change-pin",
        abstract: "Choose a new app PIN (6-16 digits); the keys are sealed again at the current cost.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "The current PIN. Prompted for when omitted.")
    var pin: String?

    @Option(name: .customLong("new-pin"), help: "The new PIN (6-16 digits, not one digit repeated or a run). Prompted for when omitted.")
    var newPIN: String?

    func run() async throws {
        guard let store = global.authenticator().keyStore as? FileKeyStore else {
            throw AuthenticatorError(.invalidInput, "this key store does not keep a PIN of its own")
        }
        let current = try Console.pin(pin)
        let new: String
        if let newPIN {
            new = newPIN
        } else {
            guard let first = Console.readSecret("New PIN: ") else { throw AuthenticatorError(.invalidPIN, "no PIN given") }
            _ = try PINPolicy.validateNew(first)
            guard let second = Console.readSecret("Confirm PIN: ") else { throw AuthenticatorError(.invalidPIN, "no PIN given") }
            guard ConstantTime.equals(first, second) else { throw AuthenticatorError(.invalidPIN, "the PINs do not match") }
            new = first
        }
        try store.changePIN(from: current, to: new)
        Console.line("PIN changed")
    }
}
