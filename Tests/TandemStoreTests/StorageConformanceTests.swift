import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The storage conformance suite: the same behaviour from every backend.
/// SQLite runs on a real file; PostgreSQL joins when `TANDEM_TEST_POSTGRES_URL` is set (each test
/// in a fresh schema of that database), and must be set in CI (`CI=true`).
enum Backend: String, CaseIterable, CustomTestStringConvertible {
    case memory, sqlite, postgres
    var testDescription: String { rawValue }

    static var allCases: [Backend] { PostgresTarget.url == nil ? [.memory, .sqlite] : [.memory, .sqlite, .postgres] }
}

/// The PostgreSQL server the suite runs against, if any.
enum PostgresTarget {
    static var url: String? {
        guard let url = ProcessInfo.processInfo.environment["TANDEM_TEST_POSTGRES_URL"], !url.isEmpty else { return nil }
        return url
    }

    static var isCI: Bool { ["true", "1"].contains(ProcessInfo.processInfo.environment["CI"]?.lowercased() ?? "") }

    /// The URL with a new schema of its own (created by the store's migration).
    static func freshSchemaURL() throws -> String {
        let base = try #require(url)
        let schema = "t_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        return base + (base.contains("?") ? "&" : "?") + "search_path=\(schema)"
    }
}

/// An open store and how to close and remove it.
struct OpenStore {
    let storage: any TandemStorage
    let close: () async throws -> Void
    let path: String?

    static func open(_ backend: Backend) async throws -> OpenStore {
        switch backend {
        case .memory:
            return OpenStore(storage: InMemoryStorage(), close: {}, path: nil)
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-test-\(UUID().uuidString).sqlite").path
            let store = try await SQLStore.openSQLite(path: path)
            return OpenStore(storage: store, close: {
                try await store.close()
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }, path: path)
        case .postgres:
            let store = try await SQLStore.openPostgres(url: try PostgresTarget.freshSchemaURL())
            return OpenStore(storage: store, close: { try await store.close() }, path: nil)
        }
    }

    /// Runs `body` and always closes the store (SQLite connections must be closed).
    static func with(_ backend: Backend, _ body: (any TandemStorage) async throws -> Void) async throws {
        let store = try await open(backend)
        do { try await body(store.storage) } catch { try? await store.close(); throw error }
        try await store.close()
    }
}

enum Fixtures {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    static func user(_ upn: String = "alice@contoso.com", id: String = UUID().uuidString) -> User {
        User(id: id, userPrincipalName: upn, displayName: "Alice", passwordHash: "hash", createdAt: t0)
    }

    static func device(userID: String, id: String = UUID().uuidString, state: DeviceState = .active) -> Device {
        Device(id: id, userID: userID, name: "Phone", appVersion: "1", deviceKey: "k1", approvalKey: "k2", state: state, createdAt: t0)
    }

    static func challenge(userID: String, id: String = UUID().uuidString) -> Challenge {
        Challenge(id: id, userID: userID, kind: .mfa, number: "42", nonce: "n",
                  context: ChallengeContext(application: "App", ipAddress: "192.0.2.1", location: "Unknown location", browser: "B"),
                  createdAt: t0, expiresAt: t0.addingTimeInterval(120))
    }
}

@Suite("Storage conformance")
struct StorageConformanceTests {
    @Test("Users round-trip and are found by name regardless of case", arguments: Backend.allCases)
    func users(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            #expect(try await s.user(id: user.id) == user)
            #expect(try await s.user(principalName: "ALICE@Contoso.com") == user)
            #expect(try await s.countUsers() == 1)
            await #expect(throws: TandemError(.conflict, "")) { try await s.insertUser(Fixtures.user("Alice@contoso.com")) }
            try await s.setLastNumber(userID: user.id, number: "17")
            #expect(try await s.user(id: user.id)?.lastNumber == "17")
            #expect(try await s.recordPushFailure(userID: user.id, reset: false) == 1)
            #expect(try await s.recordPushFailure(userID: user.id, reset: false) == 2)
            #expect(try await s.recordPushFailure(userID: user.id, reset: true) == 0)
        }
    }

    @Test("Devices round-trip; removed devices are not listed", arguments: Backend.allCases)
    func devices(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            var device = Fixtures.device(userID: user.id)
            try await s.insertDevice(device)
            device.phoneSignInKey = "k3"
            device.lastUsedAt = Fixtures.t0.addingTimeInterval(5)
            try await s.updateDevice(device)
            #expect(try await s.device(id: device.id) == device)
            #expect(try await s.devices(userID: user.id).map(\.id) == [device.id])
            device.state = .removed
            try await s.updateDevice(device)
            #expect(try await s.devices(userID: user.id).isEmpty)
        }
    }

    @Test("Only one of many concurrent state changes of a challenge wins", arguments: Backend.allCases)
    func challengeCompareAndSet(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let challenge = Fixtures.challenge(userID: user.id)
            try await s.insertChallenge(challenge)
            #expect(try await s.challenge(id: challenge.id) == challenge)
            #expect(try await s.pendingChallenges(userID: user.id).map(\.id) == [challenge.id])
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for i in 0..<20 {
                    group.addTask {
                        var answered = challenge
                        _ = answered.answer(i % 2 == 0 ? .deny : .approve, typedNumber: "42", deviceID: "d\(i)", now: Fixtures.t0)
                        return try await s.replaceChallenge(answered, ifStateIs: .pending)
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            #expect(try await s.pendingChallenges(userID: user.id).isEmpty)
            let stored = try #require(try await s.challenge(id: challenge.id))
            #expect(stored.state != .pending && stored.answeredBy != nil && stored.answeredAt == Fixtures.t0)
        }
    }

    @Test("An activation code is consumed once, and not after it expires", arguments: Backend.allCases)
    func activations(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let a = Activation(id: "a1", userID: user.id, codeDigest: "d1", createdAt: Fixtures.t0, expiresAt: Fixtures.t0.addingTimeInterval(600))
            let b = Activation(id: "a2", userID: user.id, codeDigest: "d2", createdAt: Fixtures.t0, expiresAt: Fixtures.t0.addingTimeInterval(600))
            try await s.insertActivation(a)
            try await s.insertActivation(b)
            let consumed = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 { group.addTask { try await s.consumeActivation(codeDigest: "d1", now: Fixtures.t0) != nil } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(consumed == 1)
            #expect(try await s.consumeActivation(codeDigest: "d2", now: Fixtures.t0.addingTimeInterval(600)) == nil)
            #expect(try await s.consumeActivation(codeDigest: "nope", now: Fixtures.t0) == nil)
            var used = try #require(try await s.activation(id: "a1"))
            #expect(used.usedAt == Fixtures.t0)
            used.deviceID = "dev"
            used.challengeID = "ch"
            try await s.updateActivation(used)
            #expect(try await s.activation(id: "a1") == used)
        }
    }

    @Test("A flow is written with a compare-and-set: of two writers that read the same version, one wins", arguments: Backend.allCases)
    func flowCompareAndSet(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            var first = SignInFlow(id: "f-cas", username: "alice", userID: user.id, createdAt: Fixtures.t0, expiresAt: Fixtures.t0.addingTimeInterval(900))
            try await s.insertFlow(first)
            _ = first.firstFactor(.password, then: .complete)
            var second = try #require(try await s.flow(id: "f-cas"))
            var third = second
            #expect(first.complete(redeemed: nil) == .session(amr: ["pwd"]))
            #expect(try await s.updateFlow(first))
            // Read at the same version as `first`: refused, and the stored flow is still first's.
            _ = second.firstFactor(.temporaryAccessPass, then: .complete)
            #expect(try await s.updateFlow(second) == false)
            #expect(try await s.flow(id: "f-cas")?.stage == .done)
            // Concurrent writers from one read: exactly one succeeds.
            third = try #require(try await s.flow(id: "f-cas"))
            let racer = third
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<8 { group.addTask { try await s.updateFlow(racer) } }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(wins == 1)
            #expect(try await s.flow(id: "f-cas")?.version == racer.version + 1)
        }
    }

    @Test("A flow keeps its required strength and the strength interrupt's stage (decision 0027)", arguments: Backend.allCases)
    func flowRequiredStrength(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            var flow = SignInFlow(id: "f-strength", username: "alice", userID: user.id, createdAt: Fixtures.t0,
                                  expiresAt: Fixtures.t0.addingTimeInterval(900), requiredStrength: .phishingResistantMFA)
            try await s.insertFlow(flow)
            #expect(try await s.flow(id: "f-strength") == flow)
            _ = flow.firstFactor(.temporaryAccessPass, then: .complete)
            #expect(flow.complete(redeemed: nil, mayEnrol: true) == .enrol)
            #expect(try await s.updateFlow(flow))
            flow.version += 1
            let stored = try #require(try await s.flow(id: "f-strength"))
            #expect(stored == flow && stored.stage == .enrol && stored.requiredStrength == .phishingResistantMFA)
            #expect(stored.passkeyMethods == ["mfa", "tap"])
            try await s.insertFlow(SignInFlow(id: "f-none", username: "bob", userID: nil, createdAt: Fixtures.t0, expiresAt: Fixtures.t0))
            #expect(try await s.flow(id: "f-none")?.requiredStrength == nil)
        }
    }

    @Test("Flows and sessions round-trip", arguments: Backend.allCases)
    func flowsAndSessions(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            var flow = SignInFlow(id: "f1", username: "alice", userID: user.id, createdAt: Fixtures.t0, expiresAt: Fixtures.t0.addingTimeInterval(900))
            try await s.insertFlow(flow)
            _ = flow.firstFactor(.password, then: .push)
            flow.pushSent(.mfa, challengeID: "c1")
            #expect(try await s.updateFlow(flow))
            flow.version += 1
            #expect(try await s.flow(id: "f1") == flow)
            let session = Session(id: "s1", userID: user.id, methods: ["pwd", "mfa"], createdAt: Fixtures.t0, expiresAt: Fixtures.t0.addingTimeInterval(3600))
            try await s.insertSession(session)
            #expect(try await s.session(id: "s1") == session)
            try await s.deleteSession(id: "s1")
            #expect(try await s.session(id: "s1") == nil)
        }
    }
}

@Suite("PostgreSQL backend")
struct PostgresBackendTests {
    @Test("The conformance suite runs against PostgreSQL in CI; locally it says when it ran SQLite only")
    func configured() {
        if PostgresTarget.url == nil {
            #expect(!PostgresTarget.isCI, "CI=true but TANDEM_TEST_POSTGRES_URL is not set: source .ci/postgres.sh first")
            print("note: TANDEM_TEST_POSTGRES_URL is not set, so the storage conformance suite ran on memory and SQLite only")
        }
    }

    @Test("Several instances migrating at once apply each migration exactly once")
    func concurrentMigrations() async throws {
        guard PostgresTarget.url != nil else { return }
        let url = try PostgresTarget.freshSchemaURL()
        let stores = try await withThrowingTaskGroup(of: SQLStore.self) { group in
            for _ in 0..<4 { group.addTask { try await SQLStore.openPostgres(url: url, migrate: false) } }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        do {
            let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
                for store in stores { group.addTask { try await store.migrate() } }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(applied.sorted() == Set(applied).sorted(), "a migration was applied twice")
            #expect(!applied.isEmpty)
            #expect(try await stores[0].migrate().isEmpty)
        } catch {
            for store in stores { try? await store.close() }
            throw error
        }
        for store in stores { try await store.close() }
    }

    @Test("A URL that is not PostgreSQL, or a server that is not there, gives an error, not a hang")
    func badURLs() async throws {
        await #expect(throws: TandemError.self) { try await SQLStore.openPostgres(url: "mysql://u@127.0.0.1/db") }
        await #expect(throws: TandemError.self) { try await SQLStore.openPostgres(url: "postgres://127.0.0.1/db") }
        await #expect(throws: TandemError.self) { try await SQLStore.openPostgres(url: "postgres://u@127.0.0.1/db?sslmode=maybe") }
        await #expect(throws: TandemError.self) { try await SQLStore.openPostgres(url: "postgres://u@127.0.0.1/db?search_path=a;drop") }
        let closedPort = "postgres://u:p@127.0.0.1:1/db?sslmode=disable"
        await #expect(throws: (any Error).self) { try await SQLStore.openPostgres(url: closedPort, connectTimeout: .seconds(2)) }
    }
}

@Suite("SQLite file")
struct SQLiteFileTests {
    @Test("Everything survives closing and reopening the file (a restart)")
    func survivesRestart() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-restart-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let user = Fixtures.user()
        let challenge = Fixtures.challenge(userID: user.id)
        let first = try await SQLStore.openSQLite(path: path)
        do {
            try await first.insertUser(user)
            try await first.insertChallenge(challenge)
        } catch { try? await first.close(); throw error }
        try await first.close()
        let second = try await SQLStore.openSQLite(path: path)
        do {
            #expect(try await second.migrate().isEmpty)
            #expect(try await second.challenge(id: challenge.id) == challenge)
            #expect(try await second.user(principalName: user.userPrincipalName) == user)
        } catch { try? await second.close(); throw error }
        try await second.close()
    }

    @Test("A file that is not a database gives an error, not a crash")
    func notADatabase() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-garbage-\(UUID().uuidString).sqlite").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
        await #expect(throws: (any Error).self) { try await SQLStore.openSQLite(path: path) }
    }
}
