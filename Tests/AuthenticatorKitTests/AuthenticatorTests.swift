import Foundation
import Testing
@testable import AuthenticatorKit
import TandemCore

@Suite("Authenticator")
struct AuthenticatorTests {
    @Test("Approvals use the approval key for mfa and registration, the phone sign-in key for passwordless")
    func approvalKeyByKind() async throws {
        try await withTemporaryFolder { folder throws in
            let authenticator = Authenticator(home: folder)
            let account = Account.fixture(phoneSignIn: true)
            #expect(try authenticator.approvalKeyLabel(for: .mfa, account: account) == "approval-x")
            #expect(try authenticator.approvalKeyLabel(for: .registration, account: account) == "approval-x")
            #expect(try authenticator.approvalKeyLabel(for: .passwordless, account: account) == "phone-sign-in-x")
            #expect(throws: AuthenticatorError(.phoneSignInOff, "")) {
                try authenticator.approvalKeyLabel(for: .passwordless, account: .fixture(phoneSignIn: false))
            }
        }
    }

    @Test("Adding with a bad link, a bad PIN or an unreachable server leaves no account and no key behind",
          arguments: [("https://x/device/v1/activate", "246810"), ("http://127.0.0.1:1/device/v1/activate?code=A", "12"),
                      ("http://127.0.0.1:1/device/v1/activate?code=A", "246810")])
    func failedAddLeavesNothing(_ link: String, _ pin: String) async throws {
        try await withTemporaryFolder { folder throws in
            let authenticator = Authenticator(accountStore: AccountStore(home: folder), keyStore: cheapKeyStore(folder), timeoutSeconds: 2)
            await #expect(throws: AuthenticatorError.self) {
                try await authenticator.add(activationURL: link, deviceName: "test", pin: pin)
            }
            #expect(try authenticator.accounts().isEmpty)
            #expect(try SecureFile.list(folder.appendingPathComponent("keys")).filter { $0.hasSuffix(".key") }.isEmpty)
        }
    }

    @Test("Approving with a malformed number is refused before anything is signed", arguments: ["", "4a", "123456789", " "])
    func malformedNumber(_ number: String) async throws {
        try await withTemporaryFolder { folder throws in
            let authenticator = Authenticator(accountStore: AccountStore(home: folder), keyStore: cheapKeyStore(folder))
            await #expect(throws: AuthenticatorError(.invalidInput, "")) {
                try await authenticator.approve(offer: .fixture(), account: .fixture(), number: number, pin: "246810")
            }
        }
    }
}
