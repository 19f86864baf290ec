import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SQLKit
import TandemCore
import TandemServer
import TandemServices
@testable import TandemStore
import TandemTesting
import Testing

/// Issue 17, item 1: a change and its audit entry commit together. The crash between them is
/// played by a real SQLite trigger that makes the audit insert fail, on the real store.
@Suite("Durability: changes are transactions")
struct DurabilityTransactionTests {
    static let path = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/microsoftAuthenticator"

    /// Makes every audit insert (or only those of `activity`) fail, as a crash after the change would.
    static func breakAudit(_ store: SQLStore, activity: String? = nil) async throws {
        let when = activity.map { " WHEN NEW.activity = '\($0)'" } ?? ""
        try await store.db.raw(SQLQueryString("CREATE TRIGGER break_audit BEFORE INSERT ON audit_logs\(when) BEGIN SELECT RAISE(ABORT, 'injected failure'); END")).run()
    }

    static func mendAudit(_ store: SQLStore) async throws {
        try await store.db.raw("DROP TRIGGER break_audit").run()
    }

    @Test("A policy PATCH whose audit entry cannot be written leaves the policy as it was")
    func policyAndAuditTogether() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let before = try await graph.json(.get, Self.path, token: token)
            try await Self.breakAudit(store)
            let failed = try await graph.call(.patch, Self.path, token: token, body: #"{"tandemNumberDigits": 3}"#)
            #expect(failed.status == .internalServerError)
            #expect(NSDictionary(dictionary: try await graph.json(.get, Self.path, token: token)) == NSDictionary(dictionary: before))
            #expect(try await store.audits(limit: 10, before: nil).filter { $0.category == "Policy" }.isEmpty)
            try await Self.mendAudit(store)
            #expect(try await graph.call(.patch, Self.path, token: token, body: #"{"tandemNumberDigits": 3}"#).status == .noContent)
            #expect(try await graph.json(.get, Self.path, token: token)["tandemNumberDigits"] as? Int == 3)
            #expect(try await store.audits(limit: 10, before: nil).filter { $0.activity == "Update authentication methods policy" }.count == 1)
        }, mode: .live)
    }

    @Test("The MFA service settings and their audit entry commit together")
    func legacySettingsAndAudit() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            try await Self.breakAudit(store)
            let failed = try await graph.call(.patch, "/v1.0/policies/mfaServiceSettings", token: token, body: #"{"rememberMultiFactorDays": 7}"#)
            #expect(failed.status == .internalServerError)
            #expect(try await graph.json(.get, "/v1.0/policies/mfaServiceSettings", token: token)["rememberMultiFactorDays"] as? Int != 7)
        }, mode: .live)
    }

    /// The report: block, withdrawals, ended sessions and grants, and both audit entries.
    @Test("\"No, it's not me\" is all or nothing: when its audit entry fails, nothing of it stays; when it succeeds, everything is there")
    func reportIsOneTransaction() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-durability-\(UUID().uuidString).sqlite").path
        let store = try await SQLStore.openSQLite(path: path)
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
            let push = RecordingPushNotifier()
            let env = ServiceEnvironment(storage: store, push: push, events: ImmediateChallengeEvents(), passwords: PlainTestPasswordHasher(),
                                         clock: clock, random: SeededRandomSource(seed: 17), settings: ServiceSettings(publicURL: "http://127.0.0.1"))
            let user = try await DirectoryService(env: env).addUser(userPrincipalName: "alice@contoso.com", displayName: "Alice", password: "correct horse")
            let now = clock.now()
            try await store.insertSession(Session(id: "s1", userID: user.id, methods: ["pwd"], createdAt: now, expiresAt: now.addingTimeInterval(3600)))
            let context = ChallengeContext(application: "App", ipAddress: "192.0.2.1", location: "Unknown location", browser: "B")
            var reported = Challenge(id: "c-reported", userID: user.id, kind: .mfa, number: "42", nonce: "n1", context: context,
                                     createdAt: now, expiresAt: now.addingTimeInterval(120))
            let other = Challenge(id: "c-other", userID: user.id, kind: .mfa, number: "17", nonce: "n2", context: context,
                                  createdAt: now, expiresAt: now.addingTimeInterval(120))
            try await store.insertChallenge(reported)
            try await store.insertChallenge(other)
            reported.state = .reported
            #expect(try await store.replaceChallenge(reported, ifStateIs: .pending))

            try await Self.breakAudit(store, activity: "User reported suspicious activity")
            await #expect(throws: (any Error).self) { try await ReportService(env: env).handle(reported) }
            #expect(try await store.security(userID: user.id).pushBlockedUntil == nil, "the block was rolled back")
            #expect(try await store.session(id: "s1") != nil, "the session was not ended")
            #expect(try await store.challenge(id: "c-other")?.state == .pending, "the other request was not withdrawn")
            #expect(try await store.sessionsValidFrom(userID: user.id) == nil)
            #expect(try await store.audits(limit: 10, before: nil).filter { $0.category == "UserManagement" }.isEmpty,
                    "the revocation's audit entry went with it")

            try await Self.mendAudit(store)
            try await ReportService(env: env).handle(reported)
            #expect(try await store.security(userID: user.id).pushBlockedUntil != nil)
            #expect(try await store.session(id: "s1") == nil)
            #expect(try await store.challenge(id: "c-other")?.state == .withdrawn)
            #expect(Set(try await store.audits(limit: 10, before: nil).map(\.activity)) == ["User reported suspicious activity", "Revoke sign-in sessions"])
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    /// An open SQLite store with alice, a session and a pending request; closed after `body`.
    static func withAlice(_ body: (SQLStore, ServiceEnvironment, User) async throws -> Void) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-durability-\(UUID().uuidString).sqlite").path
        let store = try await SQLStore.openSQLite(path: path)
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let clock = ManualClock(Date(timeIntervalSince1970: 1_800_000_000))
            let env = ServiceEnvironment(storage: store, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(), passwords: PlainTestPasswordHasher(),
                                         clock: clock, random: SeededRandomSource(seed: 18), settings: ServiceSettings(publicURL: "http://127.0.0.1"))
            let user = try await DirectoryService(env: env).addUser(userPrincipalName: "alice@contoso.com", displayName: "Alice", password: "correct horse")
            let now = clock.now()
            try await store.insertSession(Session(id: "s1", userID: user.id, methods: ["pwd"], createdAt: now, expiresAt: now.addingTimeInterval(3600)))
            try await body(store, env, user)
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    @Test("An administrator's removal of a phone is all or nothing: device, its pending request, ended sessions and audit entries")
    func deviceRemovalIsOneTransaction() async throws {
        try await Self.withAlice { store, env, user in
            let now = env.clock.now()
            let device = Device(id: "d1", userID: user.id, name: "Phone", appVersion: "1", deviceKey: "k1", approvalKey: "k2", state: .active, createdAt: now)
            try await store.insertDevice(device)
            let context = ChallengeContext(application: "App", ipAddress: "192.0.2.1", location: "Unknown location", browser: "B")
            try await store.insertChallenge(Challenge(id: "c1", userID: user.id, kind: .mfa, number: "42", nonce: "n", context: context,
                                                      createdAt: now, expiresAt: now.addingTimeInterval(120)))
            try await Self.breakAudit(store, activity: "Revoke sign-in sessions")
            await #expect(throws: (any Error).self) { try await DirectoryAdminService(env: env).removeDevice(device, of: user, by: nil) }
            #expect(try await store.device(id: "d1")?.state == .active, "the phone was not removed")
            #expect(try await store.challenge(id: "c1")?.state == .pending)
            #expect(try await store.session(id: "s1") != nil)
            #expect(try await store.audits(limit: 10, before: nil).isEmpty)
            try await Self.mendAudit(store)
            try await DirectoryAdminService(env: env).removeDevice(device, of: user, by: nil)
            #expect(try await store.device(id: "d1")?.state == .removed)
            #expect(try await store.challenge(id: "c1")?.state == .withdrawn)
            #expect(try await store.session(id: "s1") == nil)
            #expect(Set(try await store.audits(limit: 10, before: nil).map(\.activity)) == ["Delete Microsoft Authenticator method", "Revoke sign-in sessions"])
        }
    }

    @Test("A role assignment, a group membership and a password reset are kept only with their audit entries")
    func directoryChangesWithAudit() async throws {
        try await Self.withAlice { store, env, user in
            let admin = DirectoryAdminService(env: env)
            let group = try await admin.createGroup(displayName: "Pilot", description: nil, mailNickname: nil, by: nil)
            try await Self.breakAudit(store)
            await #expect(throws: (any Error).self) { try await admin.assign(.globalAdministrator, to: user, by: nil) }
            #expect(try await store.roles(userID: user.id).isEmpty, "no role without its audit entry")
            await #expect(throws: (any Error).self) { try await admin.addMember(user.id, to: group, by: nil) }
            #expect(try await store.members(groupID: group.id).isEmpty)
            await #expect(throws: (any Error).self) {
                _ = try await admin.updateUser(user, displayName: nil, accountEnabled: nil, password: "a new password", mfaState: nil, by: nil)
            }
            #expect(try await store.user(id: user.id)?.passwordHash == user.passwordHash, "the password was not changed")
            #expect(try await store.session(id: "s1") != nil)
            try await Self.mendAudit(store)
            try await admin.assign(.globalAdministrator, to: user, by: nil)
            #expect(try await store.roles(userID: user.id) == [DirectoryRole.globalAdministrator.rawValue])
        }
    }

    @Test("Report and sign-in protection settings are kept only with their audit entries")
    func defenceSettingsWithAudit() async throws {
        try await Self.withAlice { store, env, _ in
            let protection = PushProtectionService(env: env)
            var report = try await protection.reportSettings()
            report.blockMinutes = 7
            var throttle = try await SignInThrottleService(env: env).settings()
            throttle.lockMinutes = 42
            try await Self.breakAudit(store)
            await #expect(throws: (any Error).self) { try await protection.saveReportSettings(report, by: nil) }
            await #expect(throws: (any Error).self) { try await SignInThrottleService(env: env).saveSettings(throttle, by: nil) }
            #expect(try await protection.reportSettings().blockMinutes != 7)
            #expect(try await SignInThrottleService(env: env).settings().lockMinutes != 42)
            try await Self.mendAudit(store)
            try await protection.saveReportSettings(report, by: nil)
            #expect(try await protection.reportSettings().blockMinutes == 7)
        }
    }

    @Test("An application, its secrets and a RADIUS client are kept only with their audit entries")
    func applicationsWithAudit() async throws {
        try await Self.withAlice { store, env, _ in
            let registry = OIDCClientRegistry(env: env)
            let (app, _) = try await registry.register(OIDCClientDraft(displayName: "Payroll", redirectURIs: ["https://payroll.example.com/cb"]), by: nil)
            try await Self.breakAudit(store)
            await #expect(throws: (any Error).self) { _ = try await registry.register(OIDCClientDraft(displayName: "Shadow app"), by: nil) }
            #expect(try await store.oidcClients().map(\.displayName) == ["Payroll"], "no application without its audit entry")
            await #expect(throws: (any Error).self) { _ = try await registry.addSecret(to: app, displayName: "rotation", by: nil) }
            #expect(try await store.oidcClient(id: app.id)?.secrets.count == 1, "no secret without its audit entry")
            await #expect(throws: (any Error).self) { try await registry.removeSecret(keyID: app.secrets[0].keyID, from: app, by: nil) }
            await #expect(throws: (any Error).self) { try await registry.delete(app, by: nil) }
            #expect(try await store.oidcClient(id: app.id)?.secrets.count == 1)
            let radius = RadiusClientRegistry(env: env, sealer: RadiusSecretBox(secretKey: "durability-test-secret-key-0123456789", random: env.random))
            await #expect(throws: (any Error).self) { _ = try await radius.register(name: "VPN", address: "192.0.2.1", by: nil) }
            #expect(try await store.radiusClients().isEmpty)
            try await Self.mendAudit(store)
            // Two secrets added at once are both kept (each is added to the stored client, read in its transaction).
            async let one = registry.addSecret(to: app, displayName: "one", by: nil)
            async let two = registry.addSecret(to: app, displayName: "two", by: nil)
            _ = try await (one, two)
            #expect(try await store.oidcClient(id: app.id)?.secrets.count == 3)
        }
    }

    @Test("A new user and a Temporary Access Pass are kept only with their audit entries; two passes asked at once give one")
    func userAndPassWithAudit() async throws {
        try await Self.withAlice { store, env, alice in
            let admin = DirectoryAdminService(env: env)
            let passes = TemporaryAccessPassService(env: env)
            try await Self.breakAudit(store)
            await #expect(throws: (any Error).self) {
                _ = try await admin.createUser(userPrincipalName: "bob@contoso.com", displayName: "Bob", password: "a long password", accountEnabled: false, by: nil)
            }
            #expect(try await store.user(principalName: "bob@contoso.com") == nil, "no user without its audit entry")
            await #expect(throws: (any Error).self) { _ = try await passes.create(for: alice, .init(), by: nil) }
            #expect(try await store.temporaryAccessPasses(userID: alice.id).isEmpty, "no pass without its audit entry")
            try await Self.mendAudit(store)
            let bob = try await admin.createUser(userPrincipalName: "bob@contoso.com", displayName: "Bob", password: nil, accountEnabled: false, by: nil)
            #expect(try await store.user(id: bob.id)?.accountEnabled == false)
            #expect(try await store.audits(limit: 10, before: nil).contains { $0.activity == "Add user" && $0.targetID == bob.id })
            async let one = Result(catching: { try await passes.create(for: alice, .init(), by: nil) })
            async let two = Result(catching: { try await passes.create(for: alice, .init(), by: nil) })
            let results = await [one, two]
            #expect(results.filter { (try? $0.get()) != nil }.count == 1, "exactly one pass")
            #expect(try await store.temporaryAccessPasses(userID: alice.id).count == 1)
            let pass = try #require(try await store.temporaryAccessPasses(userID: alice.id).first)
            try await Self.breakAudit(store)
            await #expect(throws: (any Error).self) { try await passes.delete(pass, of: alice, by: nil) }
            #expect(try await store.temporaryAccessPasses(userID: alice.id).count == 1, "not deleted without its audit entry")
        }
    }

    /// The phone's answer itself: before, the request moved to `reported` in one statement and the
    /// block followed in another transaction, so a crash between them left a reported request
    /// with no block (decision 0018, "left"). Now the answer's compare-and-set is in the same one.
    @Test("A phone's \"No, it's not me\" is one transaction with its block: when the block's audit entry fails, the request is still pending and nothing of the report stays")
    func reportAnswerIsOneTransaction() async throws {
        try await TestServer.run({ store, client in
            let (_, phone, _) = try await SignInPagesTests.setUp(store, client)
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await browser.request("/login/password", method: .post, form: ["password": "correct horse"])
            let offer = try #require(try await PushChannelTests.pending(phone, client).first)
            let securityBefore = try await store.security(userID: alice.id)

            try await Self.breakAudit(store, activity: "User reported suspicious activity")
            let body = try WireCoding.encoder().encode(phone.answer(offer, .report))
            let failed = try await client.execute(uri: "/device/v1/challenges/\(offer.id)/answer", method: .post,
                                                  headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
            #expect(failed.status == .internalServerError)
            #expect(try await store.challenge(id: offer.id)?.state == .pending, "the answer was rolled back with its block")
            let security = try await store.security(userID: alice.id)
            #expect(security.pushBlockedUntil == nil)
            #expect(security == securityBefore, "no risk state, no block")
            #expect(try await store.audits(limit: 50, before: nil).allSatisfy { $0.activity != "Revoke sign-in sessions" })
            #expect(try await browser.request("/login/status").json(PushChannelTests.StatusView.self).state == "pending")

            // The phone tries again once the fault is gone: the whole report lands.
            try await Self.mendAudit(store)
            #expect(try await PushChannelTests.answer(phone, offer, .report, client).state == .reported)
            #expect(try await store.challenge(id: offer.id)?.state == .reported)
            #expect(try await store.security(userID: alice.id).pushBlockedUntil != nil)
            let activities = Set(try await store.audits(limit: 50, before: nil).map(\.activity))
            #expect(activities.isSuperset(of: ["User reported suspicious activity", "Revoke sign-in sessions"]))
        }, mode: .live)
    }

    @Test("Phone sign-in turned on is one transaction with its audit entry: when the entry fails, the key is not set and the nonce is not spent")
    func phoneSignInChangeIsOneTransaction() async throws {
        try await TestServer.run({ store, client in
            let (_, phone, _) = try await SignInPagesTests.setUp(store, client)
            let nonce = try await PushChannelTests.keyChangeNonce(phone, client)
            let body = Array(try WireCoding.encoder().encode(phone.phoneSignInRequest(nonce: nonce)))
            try await Self.breakAudit(store, activity: "User enabled phone sign-in")
            let failed = try await PushChannelTests.signed(phone, .post, "/device/v1/phone-sign-in", body: body, client)
            #expect(failed.status == .internalServerError)
            #expect(try await store.device(id: phone.deviceID)?.phoneSignInKey == nil, "no key without its audit entry")
            try await Self.mendAudit(store)
            // The same nonce again (a new signed request around it): it was not spent by the failure.
            let retried = try await PushChannelTests.signed(phone, .post, "/device/v1/phone-sign-in", body: body, client)
            #expect(retried.status == .ok || retried.status == .noContent, "\(retried.status)")
            #expect(try await store.device(id: phone.deviceID)?.phoneSignInKey != nil)
            #expect(try await store.audits(limit: 50, before: nil).filter { $0.activity == "User enabled phone sign-in" }.count == 1)
        }, mode: .live)
    }

    /// A new phone's confirmation: its activation and "User registered security info" together.
    @Test("A new phone's confirmation is one transaction with its audit entry: when the entry fails, the phone is not active and the request is still pending")
    func deviceConfirmationIsOneTransaction() async throws {
        try await TestServer.run({ store, client in
            let browser = Browser(client)
            try await browser.signInWithPassword()
            var phone = TestPhone()
            let created = try await browser.request("/mysecurityinfo/authenticator", method: .post, accept: "application/json")
            let activation = try created.json([String: String].self)
            let activate = try WireCoding.encoder().encode(phone.activation(code: try #require(activation["code"])))
            let registered = try await client.execute(uri: "/device/v1/activate", method: .post, headers: [.contentType: "application/json"],
                                                      body: ByteBuffer(bytes: activate))
            phone.deviceID = try registered.json(ActivationResponse.self).deviceId
            let statusPath = "/mysecurityinfo/authenticator/\(try #require(activation["activationId"]))/status"
            let number = try #require(try await browser.request(statusPath).json(PushChannelTests.RegistrationStatusView.self).number)
            let offer = try #require(try await PushChannelTests.pending(phone, client).first)

            try await Self.breakAudit(store, activity: "User registered security info")
            let body = try WireCoding.encoder().encode(phone.answer(offer, .approve, number: number))
            let failed = try await client.execute(uri: "/device/v1/challenges/\(offer.id)/answer", method: .post,
                                                  headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
            #expect(failed.status == .internalServerError)
            #expect(try await store.challenge(id: offer.id)?.state == .pending)
            #expect(try await store.device(id: phone.deviceID)?.state != .active, "not active without its audit entry")
            #expect(try await browser.request(statusPath).json(PushChannelTests.RegistrationStatusView.self).state == "confirming")

            try await Self.mendAudit(store)
            #expect(try await PushChannelTests.answer(phone, offer, .approve, number: number, client).state == .approved)
            #expect(try await store.device(id: phone.deviceID)?.state == .active)
            #expect(try await store.audits(limit: 50, before: nil).filter { $0.activity == "User registered security info" }.count == 1)
        }, mode: .live)
    }
}

extension Result where Failure == any Error {
    init(catching body: () async throws -> Success) async {
        do { self = .success(try await body()) } catch { self = .failure(error) }
    }
}
