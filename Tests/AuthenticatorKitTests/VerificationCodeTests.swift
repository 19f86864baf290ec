import Foundation
import Testing
@testable import AuthenticatorKit
import TandemCore

@Suite("Verification codes on the authenticator")
struct VerificationCodeTests {
    /// RFC 6238's SHA-1 seed; at 1111111111 (1 s into its step) the 6-digit code is 050471, 29 s left.
    static let seed = Array("12345678901234567890".utf8)
    static let now = Date(timeIntervalSince1970: 1_111_111_111)

    static func authenticator(_ folder: URL) -> Authenticator {
        Authenticator(accountStore: AccountStore(home: folder), keyStore: cheapKeyStore(folder), now: { now })
    }

    @Test("A secret from the activation response is kept and gives the RFC code with the seconds left")
    func storedFromActivation() async throws {
        try await withTemporaryFolder { folder throws in
            let authenticator = Self.authenticator(folder)
            let account = try authenticator.save(.fixture(), totpSecret: Base32.encode(Self.seed), label: "totp-x")
            #expect(account.totpSecretLabel == "totp-x")
            #expect(try authenticator.accounts() == [account])
            let code = try authenticator.verificationCode(account: account)
            #expect(code.code == "050471")
            #expect(code.secondsRemaining == 29)
            #expect(try authenticator.accountsWithCodes() == [account])
        }
    }

    @Test("The secret file is 0600 in the 0700 keys folder, not sealed, and not taken for a PIN key")
    func secretFile() async throws {
        try await withTemporaryFolder { folder throws in
            let store = cheapKeyStore(folder)
            try store.saveTOTP(try TOTP(secret: Self.seed), label: "totp-x")
            let url = store.folder.appendingPathComponent("totp-x.oath")
            #expect(try SecureFile.permissions(url) == 0o600)
            #expect(try SecureFile.permissions(store.folder) == 0o700)
            #expect(try !store.hasPINProtectedKeys())
            #expect(try store.totp(label: "totp-x").code(at: Self.now) == "050471")
            #expect(throws: AuthenticatorError(.keyExists, "")) { try store.saveTOTP(try TOTP(secret: Self.seed), label: "totp-x") }
        }
    }

    @Test("A damaged secret file is reported, a missing one is not found, deleting twice is fine")
    func damagedAndMissing() async throws {
        try await withTemporaryFolder { folder throws in
            let store = cheapKeyStore(folder)
            #expect(throws: AuthenticatorError(.keyNotFound, "")) { try store.totp(label: "totp-x") }
            try store.saveTOTP(try TOTP(secret: Self.seed), label: "totp-x")
            try SecureFile.writeFile(Array("{\"version\":1}".utf8), to: store.folder.appendingPathComponent("totp-x.oath"))
            #expect(throws: AuthenticatorError(.storage, "")) { try store.totp(label: "totp-x") }
            try store.deleteTOTP(label: "totp-x")
            try store.deleteTOTP(label: "totp-x")
            #expect(throws: AuthenticatorError(.invalidLabel, "")) { try store.totp(label: "../x") }
        }
    }

    @Test("Without a secret the account has no codes")
    func noSecret() async throws {
        try await withTemporaryFolder { folder throws in
            let authenticator = Self.authenticator(folder)
            let account = try authenticator.save(.fixture(), totpSecret: nil, label: "totp-x")
            #expect(account.totpSecretLabel == nil)
            #expect(throws: AuthenticatorError(.keyNotFound, "")) { try authenticator.verificationCode(account: account) }
            #expect(try authenticator.accountsWithCodes().isEmpty)
        }
    }

    @Test("A malformed secret from the server is a protocol violation and saves nothing",
          arguments: ["not base32!", "GEZDGNBV", ""])
    func malformedSecret(secret: String) async throws {
        try await withTemporaryFolder { folder throws in
            let authenticator = Self.authenticator(folder)
            #expect(throws: AuthenticatorError(.protocolViolation, "")) {
                try authenticator.save(.fixture(), totpSecret: secret, label: "totp-x")
            }
            #expect(try authenticator.accounts().isEmpty)
            #expect(throws: AuthenticatorError(.keyNotFound, "")) { try cheapKeyStore(folder).totp(label: "totp-x") }
        }
    }

    @Test("Removing the account deletes its secret")
    func removeDeletes() async throws {
        try await withTemporaryFolder { folder throws in
            let authenticator = Self.authenticator(folder)
            let account = try authenticator.save(.fixture(), totpSecret: Base32.encode(Self.seed), label: "totp-x")
            try authenticator.remove(account: account)
            #expect(throws: AuthenticatorError(.keyNotFound, "")) { try cheapKeyStore(folder).totp(label: "totp-x") }
        }
    }

    @Test("An accounts.json written before codes existed still loads")
    func olderAccountsFile() async throws {
        try await withTemporaryFolder { folder throws in
            let store = AccountStore(home: folder)
            var old = Account.fixture()
            old.totpSecretLabel = nil
            try store.save([old])
            let text = try String(contentsOf: store.fileURL, encoding: .utf8)
            #expect(!text.contains("totpSecretLabel"))
            #expect(try store.load() == [old])
        }
    }

    @Test("The activation response carries the secret as an optional field")
    func wireField() throws {
        let without = ActivationResponse(deviceId: "d", userId: "u", userPrincipalName: "a@b", displayName: "A")
        let json = String(decoding: try WireCoding.encoder().encode(without), as: UTF8.self)
        #expect(!json.contains("totpSecret"))
        let with = try WireCoding.decoder().decode(ActivationResponse.self, from: Data(
            #"{"deviceId":"d","userId":"u","userPrincipalName":"a@b","displayName":"A","totpSecret":"GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"}"#.utf8))
        #expect(with.totpSecret.flatMap(Base32.decode) == Self.seed)
    }
}
