import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// Issue 10, finding 9: at `debug` SQLKit printed each statement with its bind values, and at
/// `trace` PostgresNIO prints each message; the store hands its drivers a logger capped at `info`.
@Suite("The store's drivers never log a bind value")
struct DriverLogTests {
    @Test("A challenge written and read back through a store opened with a trace logger leaves its number and nonce out of the log",
          arguments: [Backend.sqlite] + (PostgresTarget.url == nil ? [] : [Backend.postgres]))
    func noBindsInTheLog(backend: Backend) async throws {
        let capture = CapturingLog()
        let store: SQLStore
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-log-\(UUID().uuidString).sqlite").path
        switch backend {
        case .postgres: store = try await SQLStore.openPostgres(url: try PostgresTarget.freshSchemaURL(), logger: capture.logger)
        default: store = try await SQLStore.openSQLite(path: path, logger: capture.logger)
        }
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let user = Fixtures.user()
            try await store.insertUser(user)
            var challenge = Fixtures.challenge(userID: user.id)
            challenge.number = "739514"
            challenge.nonce = "nonce-b1d8f4e0c2a94f7d"
            try await store.insertChallenge(challenge)
            #expect(try await store.challenge(id: challenge.id)?.nonce == challenge.nonce)
            #expect(!capture.text.contains(challenge.nonce))
            #expect(!capture.text.contains(challenge.number))
            #expect(!capture.text.contains("INSERT INTO challenges"), "statements are not logged either")
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }
}
