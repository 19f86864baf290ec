import Foundation
import Testing
@testable import AuthenticatorKit

@Suite("AccountStore")
struct AccountStoreTests {
    @Test("Saved accounts load back equal")
    func roundTrip() async throws {
        try await withTemporaryFolder { folder throws in
            let store = AccountStore(home: folder)
            #expect(try store.load().isEmpty)
            let alice = Account.fixture()
            let bob = Account.fixture(deviceId: "d-2", userPrincipalName: "bob@example.com", server: "https://id.example.com/tandem", phoneSignIn: true)
            try store.upsert(alice)
            try store.upsert(bob)
            #expect(try AccountStore(home: folder).load() == [alice, bob])
        }
    }

    @Test("accounts.json is 0600 and the home folder 0700")
    func permissions() async throws {
        try await withTemporaryFolder { folder throws in
            let store = AccountStore(home: folder.appendingPathComponent("home"))
            try store.upsert(.fixture())
            #expect(try SecureFile.permissions(store.home) == 0o700)
            #expect(try SecureFile.permissions(store.fileURL) == 0o600)
        }
    }

    @Test("Upserting an account with the same device id replaces it; removing deletes it")
    func upsertReplaces() async throws {
        try await withTemporaryFolder { folder throws in
            let store = AccountStore(home: folder)
            var account = Account.fixture()
            try store.upsert(account)
            account.phoneSignInEnabled = true
            account.phoneSignInKeyLabel = "phone-sign-in-y"
            try store.upsert(account)
            #expect(try store.load() == [account])
            try store.remove(account)
            #expect(try store.load().isEmpty)
        }
    }

    @Test("An account is found by device id or user principal name, case-insensitively")
    func findsAccounts() async throws {
        try await withTemporaryFolder { folder throws in
            let store = AccountStore(home: folder)
            let alice = Account.fixture()
            let bob = Account.fixture(deviceId: "d-2", userPrincipalName: "bob@example.com")
            try store.save([alice, bob])
            #expect(try store.account(matching: "d-2") == bob)
            #expect(try store.account(matching: "ALICE@example.com") == alice)
            #expect(throws: AuthenticatorError(.ambiguousAccount, "")) { try store.account(matching: nil) }
            #expect(throws: AuthenticatorError(.accountNotFound, "")) { try store.account(matching: "carol@example.com") }
            try store.save([alice])
            #expect(try store.account(matching: nil) == alice)
            try store.save([])
            #expect(throws: AuthenticatorError(.accountNotFound, "")) { try store.account(matching: nil) }
        }
    }

    @Test("A damaged accounts.json is reported, not silently emptied")
    func damagedFile() async throws {
        try await withTemporaryFolder { folder throws in
            let store = AccountStore(home: folder)
            try store.upsert(.fixture())
            try Data("{not json".utf8).write(to: store.fileURL)
            #expect(throws: AuthenticatorError(.storage, "")) { try store.load() }
        }
    }
}
