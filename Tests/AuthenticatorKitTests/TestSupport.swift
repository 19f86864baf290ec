import Foundation
@testable import AuthenticatorKit
import TandemCore

/// A fresh folder under the system's temporary folder, removed by `remove()`.
struct TemporaryFolder {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-authenticator-tests-\(UUID().uuidString)")
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Runs `body` with a fresh temporary folder and removes it afterwards.
@discardableResult
func withTemporaryFolder<T>(_ body: (URL) async throws -> T) async throws -> T {
    let folder = TemporaryFolder()
    defer { folder.remove() }
    return try await body(folder.url)
}

/// A key store with the test-only scrypt cost.
func cheapKeyStore(_ folder: URL) -> FileKeyStore {
    FileKeyStore(folder: folder.appendingPathComponent("keys"), newKeyParameters: .testOnly)
}

func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
}

func bytes(hex: String) -> [UInt8] {
    var out: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        out.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return out
}

extension Account {
    /// An account fixture.
    static func fixture(deviceId: String = "5f0c3a9e-2b7d-4e11-9a6c-0d2e8f4b7c31", userPrincipalName: String = "alice@example.com",
                        server: String = "http://127.0.0.1:8080", phoneSignIn: Bool = false) -> Account {
        Account(deviceId: deviceId, userId: "u-1", userPrincipalName: userPrincipalName, displayName: "Alice",
                serverURL: URL(string: server)!, deviceKeyLabel: "device-x", approvalKeyLabel: "approval-x",
                phoneSignInKeyLabel: phoneSignIn ? "phone-sign-in-x" : nil, phoneSignInEnabled: phoneSignIn,
                createdAt: Date(timeIntervalSince1970: 1_795_946_400))
    }
}

extension ChallengeOffer {
    /// An offer fixture.
    static func fixture(id: String = "q3Jx0S8yZ9bYc1d2E3f4gA", nonce: String = "n0nce-Vw8Zq2Lk5Rt7Yb3Xc9Hd4Jf6Gs1Ap0Om2N-_Q",
                        kind: ChallengeKind = .mfa) -> ChallengeOffer {
        ChallengeOffer(
            id: id, kind: kind, nonce: nonce, userPrincipalName: "alice@example.com", displayName: "Alice",
            context: ChallengeContext(application: "Payroll", ipAddress: "203.0.113.7", location: "Lisbon, PT", browser: "Firefox"),
            createdAt: Date(timeIntervalSince1970: 1_795_946_400), expiresAt: Date(timeIntervalSince1970: 1_795_946_520))
    }
}

/// Captures the bytes handed to a signer.
final class Captured: @unchecked Sendable {
    private(set) var value: [UInt8] = []
    func set(_ bytes: [UInt8]) { value = bytes }
}
