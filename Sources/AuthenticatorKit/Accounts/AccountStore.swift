import Foundation
import TandemCore

/// The authenticator's accounts, saved as `accounts.json` (mode 0600) in its home folder (0700).
public struct AccountStore: Sendable {
    /// The home folder.
    public let home: URL

    /// Creates a store in `home` (created on first save).
    public init(home: URL) {
        self.home = home
    }

    /// The file the accounts are saved in.
    public var fileURL: URL { home.appendingPathComponent("accounts.json") }

    private struct Document: Codable {
        var version: Int
        var accounts: [Account]
    }

    /// Every saved account, oldest first; empty when none was saved yet.
    public func load() throws -> [Account] {
        guard let bytes = try SecureFile.readFile(fileURL) else { return [] }
        guard let document = try? WireCoding.decoder().decode(Document.self, from: Data(bytes)), document.version == 1 else {
            throw AuthenticatorError(.storage, "\(fileURL.path) is damaged")
        }
        return document.accounts
    }

    /// Replaces the saved accounts.
    public func save(_ accounts: [Account]) throws {
        let encoder = WireCoding.encoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        let bytes = try encoder.encode(Document(version: 1, accounts: accounts))
        try SecureFile.ensureDirectory(home)
        try SecureFile.writeFile(Array(bytes), to: fileURL)
    }

    /// Adds `account`, or replaces the saved one with the same device id and server.
    public func upsert(_ account: Account) throws {
        try update { accounts in
            if let index = accounts.firstIndex(where: { $0.deviceId == account.deviceId && $0.serverURL == account.serverURL }) {
                accounts[index] = account
            } else {
                accounts.append(account)
            }
        }
    }

    /// Removes the account with this device id and server, if saved.
    public func remove(_ account: Account) throws {
        try update { accounts in
            accounts.removeAll { $0.deviceId == account.deviceId && $0.serverURL == account.serverURL }
        }
    }

    /// The account `selector` names: a device id, or a user principal name (case-insensitive).
    /// Without a selector, the only account. Throws `.accountNotFound` or `.ambiguousAccount`.
    public func account(matching selector: String?) throws -> Account {
        let accounts = try load()
        guard let selector, !selector.isEmpty else {
            switch accounts.count {
            case 0: throw AuthenticatorError(.accountNotFound, "no accounts yet: add one with 'tandem-authenticator add <activation URL>'")
            case 1: return accounts[0]
            default: throw AuthenticatorError(.ambiguousAccount, "\(accounts.count) accounts: say which with --account <user principal name or device id>")
            }
        }
        if let byDevice = accounts.first(where: { $0.deviceId == selector }) { return byDevice }
        let byName = accounts.filter { $0.userPrincipalName.lowercased() == selector.lowercased() }
        switch byName.count {
        case 0: throw AuthenticatorError(.accountNotFound, "no account \(selector)")
        case 1: return byName[0]
        default: throw AuthenticatorError(.ambiguousAccount, "several accounts are \(selector): use the device id")
        }
    }

    private func update(_ change: (inout [Account]) -> Void) throws {
        try SecureFile.ensureDirectory(home)
        try SecureFile.withLock(home.appendingPathComponent(".accounts.lock")) {
            var accounts = try load()
            change(&accounts)
            try save(accounts)
        }
    }
}
