import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// Issue 15: liveness and readiness, JSON logs, and housekeeping with the injected clock.
@Suite("Deployment: health, JSON logs, housekeeping")
struct DeploymentTests {
    static func body(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    @Test("/healthz and /readyz answer 200 JSON on a migrated store; /health still answers")
    func ready() async throws {
        try await TestServer.run { _, client in
            let live = try await client.execute(uri: "/healthz", method: .get)
            #expect(live.status == .ok && live.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(try Self.body(live)["status"] as? String == "ok")
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .ok)
            #expect(try Self.body(ready)["checks"] as? [String: String] == ["store": "ok", "migrations": "ok"])
            #expect(try await client.execute(uri: "/health", method: .get).status == .ok)
        }
    }

    /// The application over `store` (nothing else needed: these requests do not touch the rest).
    static func withApp(_ store: SQLStore, _ body: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        let app = try buildApplication(configuration: TandemConfiguration(port: 0, bcryptCost: 4), storage: store, passwords: BcryptPasswordHasher(cost: 4))
        try await app.test(.router) { client in try await body(client) }
    }

    @Test("/readyz is 503 with migrations pending on a store never migrated, and 503 unreachable on a closed one; /healthz stays 200")
    func notReady() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-ready-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let bare = try await SQLStore.openSQLite(path: path, migrate: false)
        try await Self.withApp(bare) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(try Self.body(ready)["checks"] as? [String: String] == ["store": "ok", "migrations": "pending"])
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
        }
        try await bare.close()
        try await Self.withApp(bare) { client in
            let ready = try await client.execute(uri: "/readyz", method: .get)
            #expect(ready.status == .serviceUnavailable)
            #expect(try Self.body(ready)["status"] as? String == "unavailable")
            #expect((try Self.body(ready)["checks"] as? [String: String])?["store"] != "ok")
        }
    }

    @Test("--log-format json: one JSON object per line with level, label, message and the namespaced metadata keys")
    func jsonLines() throws {
        let lines = Mutex<[String]>([])
        var handler = JSONLogHandler(label: "tandem.signin") { line in lines.withLock { $0.append(line) } }
        handler.logLevel = .info
        handler[metadataKey: "tandem.instance"] = "a"
        let logger = Logger(label: "tandem.signin") { _ in handler }
        logger.info("push \"sent\"\nnext line", metadata: ["tandem.user": "u-1", "tandem.challenge": "c-1", "message": "clash"])
        logger.debug("below the level")
        let written = lines.withLock { $0 }
        #expect(written.count == 1)
        let line = try #require(written.first)
        #expect(line.hasSuffix("\n") && line.dropLast().contains("\n") == false)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["level"] as? String == "info")
        #expect(object["label"] as? String == "tandem.signin")
        #expect(object["message"] as? String == "push \"sent\"\nnext line")
        #expect(object["tandem.user"] as? String == "u-1" && object["tandem.challenge"] as? String == "c-1")
        #expect(object["tandem.instance"] as? String == "a")
        #expect(object["metadata.message"] as? String == "clash")
        #expect((object["timestamp"] as? String)?.hasSuffix("Z") == true)
        #expect(JSONLogHandler.timestamp(Date(timeIntervalSince1970: 1_790_000_000.0421)) == "2026-09-21T14:13:20.042Z")
        #expect(JSONLogHandler.timestamp(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
    }

    @Test("Housekeeping keeps the tables from growing under steady load: after the retention, sizes plateau; live rows stay")
    func steadyLoadPlateaus() async throws {
        let storage = InMemoryStorage()
        let clock = ManualClock()
        let user = User(id: "u", userPrincipalName: "alice@contoso.com", displayName: "Alice", passwordHash: nil, createdAt: clock.now())
        try await storage.insertUser(user)
        var settings = HousekeepingSettings()
        settings.signInRetention = 2 * 86_400
        settings.auditRetention = 3 * 86_400
        let housekeeping = Housekeeping(storage: storage, clock: clock, settings: settings, logger: Logger(label: "test"))
        var sizes: [Int] = []
        var n = 0
        // Six days of one sign-in every ten minutes, housekeeping every hour (the service's default interval).
        for hour in 0..<(6 * 24) {
            for _ in 0..<6 {
                n += 1
                let now = clock.now()
                var challenge = Challenge(id: "c\(n)", userID: user.id, kind: .mfa, number: "42", nonce: "n",
                                          context: ChallengeContext(application: "App", ipAddress: "192.0.2.1", location: "", browser: "B"),
                                          createdAt: now, expiresAt: now.addingTimeInterval(120))
                challenge.signInID = "si\(n)"
                try await storage.insertChallenge(challenge)
                try await storage.appendTrail(challengeID: challenge.id, TrailEvent(event: "sent", at: now))
                try await storage.insertFlow(SignInFlow(id: "f\(n)", username: "alice", userID: user.id, createdAt: now,
                                                        expiresAt: now.addingTimeInterval(900)))
                try await storage.insertSession(Session(id: "s\(n)", userID: user.id, methods: ["pwd"], createdAt: now, expiresAt: now.addingTimeInterval(8 * 3600)))
                try await storage.insertSignIn(SignInRecord(id: "si\(n)", createdAt: now, updatedAt: now, userID: user.id, userPrincipalName: user.userPrincipalName,
                                                            appDisplayName: "Tandem", ipAddress: "192.0.2.1", location: "", clientApp: "Browser",
                                                            errorCode: 0, failureReason: nil, additionalDetails: nil, policyReason: nil, steps: []))
                try await storage.insertAudit(AuditEntry(id: "a\(n)", activityAt: now, category: "UserManagement", activity: "Update user",
                                                         operationType: "Update", initiatedByID: nil, initiatedByName: nil, targetType: "User", targetID: user.id, targetName: nil))
                clock.advance(by: 600)
            }
            await housekeeping.runOnce()
            if hour % 24 == 23 { sizes.append(await storage.rowCount(upTo: n)) }
        }
        // Day by day the store grows until the longest retention (3 days), then stays flat.
        #expect(sizes[0] < sizes[1] && sizes[1] < sizes[2], "\(sizes)")
        #expect(sizes[3] == sizes[4] && sizes[4] == sizes[5], "\(sizes)")
        #expect(try await storage.session(id: "s\(n)") != nil)
        #expect(try await storage.flow(id: "f\(n)") != nil, "the newest rows stay")
        #expect(try await storage.signIn(id: "si\(n)") != nil)
        #expect(try await storage.challenge(id: "c\(n)") != nil)
        #expect(try await storage.trail(challengeID: "c\(n)").count == 1)
        #expect(try await storage.session(id: "s1") == nil)
        #expect(try await storage.signIn(id: "si1") == nil)
        #expect(try await storage.challenge(id: "c1") == nil)
    }
}

extension InMemoryStorage {
    /// Rows in the tables housekeeping purges, for the ids the test made (its measure of growth).
    func rowCount(upTo n: Int) -> Int {
        var count = audits(limit: 1_000_000, before: nil).count
        for id in 1...max(n, 1) {
            count += [challenge(id: "c\(id)") != nil, !trail(challengeID: "c\(id)").isEmpty, flow(id: "f\(id)") != nil,
                      session(id: "s\(id)") != nil, signIn(id: "si\(id)") != nil].filter { $0 }.count
        }
        return count
    }
}
