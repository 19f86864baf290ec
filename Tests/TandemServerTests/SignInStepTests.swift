import Foundation
import SQLKit
import Synchronization
import TandemCore
import TandemServices
@testable import TandemStore
import TandemTesting
import Testing

/// Issue 11: each sign-in request step is one transaction (`ServiceEnvironment.step`), so its
/// pushes and wake-ups are held back until the commit. Proved on a real SQLite file, read from a
/// second connection, which (WAL) sees committed data only — as a phone's request on another
/// PostgreSQL connection would.
@Suite("Sign-in steps commit before they tell anyone")
struct SignInStepTests {
    /// A push notifier and challenge events that look, at the moment they are called, at what a
    /// second connection sees of the challenge.
    final class CommittedProbe: PushNotifier, ChallengeEvents {
        let reader: SQLStore
        private let seen = Mutex<[(call: String, challengeID: String, state: ChallengeState?)]>([])

        init(reader: SQLStore) { self.reader = reader }

        var calls: [(call: String, challengeID: String, state: ChallengeState?)] { seen.withLock { $0 } }

        func look(_ call: String, _ challengeID: String) async {
            let state = try? await reader.challenge(id: challengeID)?.state
            seen.withLock { $0.append((call, challengeID, state)) }
        }

        func deliver(_ offer: ChallengeOffer, to deviceIDs: [String]) async { await look("deliver", offer.id) }
        func withdraw(challengeID: String, reason: String, from deviceIDs: [String]) async { await look("withdraw", challengeID) }
        func changed(challengeID: String) async { await look("changed", challengeID) }
        func wait(challengeID: String, for seconds: TimeInterval) async {}
    }

    struct Fixture {
        let store: SQLStore
        let probe: CommittedProbe
        let env: ServiceEnvironment
        let phone: TestPhone
        let path: String

        func close() async {
            try? await probe.reader.close()
            try? await store.close()
            for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        }
    }

    static let context = ChallengeContext(application: "Tandem", ipAddress: "192.0.2.7", location: "", browser: "Test browser")

    /// Alice with a password and a registered phone, over a SQLite file and the probe.
    static func fixture() async throws -> Fixture {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-step-\(UUID().uuidString).sqlite").path
        let store = try await SQLStore.openSQLite(path: path)
        let probe = CommittedProbe(reader: try await SQLStore.openSQLite(path: path, migrate: false))
        let env = ServiceEnvironment(storage: store, push: probe, events: probe, passwords: PlainTestPasswordHasher(),
                                     clock: SystemClock(), random: SystemRandomSource(),
                                     settings: ServiceSettings(publicURL: "http://127.0.0.1"))
        let user = try await DirectoryService(env: env).addUser(userPrincipalName: "alice@contoso.com", displayName: "Alice", password: "correct horse")
        var phone = TestPhone()
        let registration = RegistrationService(env: env)
        let (_, code, _) = try await registration.createActivation(for: user)
        phone.deviceID = try await registration.activate(phone.activation(code: code), context: context).deviceId
        let device = try #require(try await store.device(id: phone.deviceID))
        let offer = try #require(try await DeviceService(env: env).pending(for: device).first)
        let number = try #require(try await store.challenge(id: offer.id)?.number)
        _ = try await ChallengeService(env: env).answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        return Fixture(store: store, probe: probe, env: env, phone: phone, path: path)
    }

    @Test("The MFA push, the answer's wake-up and the withdrawals come after their step's commit")
    func toldAfterCommit() async throws {
        let f = try await Self.fixture()
        do {
            let signIn = SignInService(env: f.env)
            let (token, _) = try await signIn.begin(username: "alice@contoso.com", context: Self.context)
            let flow = try await signIn.submitPassword(token: token, password: "correct horse", context: Self.context)
            let challengeID = try #require(flow.challengeID)
            let delivered = f.probe.calls.filter { $0.call == "deliver" && $0.challengeID == challengeID }
            #expect(delivered.count == 1)
            #expect(delivered.first?.state == .pending, "the phone was told before the request was committed")

            let device = try #require(try await f.store.device(id: f.phone.deviceID))
            let offer = try #require(try await DeviceService(env: f.env).pending(for: device).first { $0.id == challengeID })
            let number = try #require(try await f.store.challenge(id: challengeID)?.number)
            _ = try await ChallengeService(env: f.env).answer(challengeID: challengeID, f.phone.answer(offer, .approve, number: number))
            let woken = f.probe.calls.filter { $0.call == "changed" && $0.challengeID == challengeID }
            #expect(!woken.isEmpty)
            #expect(woken.allSatisfy { $0.state == .approved }, "the browser was woken before the answer was committed")
            #expect(f.probe.calls.filter { $0.call == "withdraw" && $0.challengeID == challengeID }.allSatisfy { $0.state == .approved })

            let completed = try await signIn.completeSignIn(token: token)
            #expect(try await f.probe.reader.session(id: completed.session.id) != nil)
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    @Test("A step the database fails in leaves nothing of itself and tells no one")
    func failedStepRollsBack() async throws {
        let f = try await Self.fixture()
        do {
            let signIn = SignInService(env: f.env)
            let (token, started) = try await signIn.begin(username: "alice@contoso.com", context: Self.context)
            let signInID = try #require(started.signInID)
            let before = try #require(try await f.store.signIn(id: signInID)).steps.count
            let calls = f.probe.calls.count
            // The password step's last write (the flow) fails, as a crash there would.
            try await f.store.db.raw("CREATE TRIGGER break_flow BEFORE UPDATE ON flows BEGIN SELECT RAISE(ABORT, 'injected failure'); END").run()
            await #expect(throws: (any Error).self) {
                _ = try await signIn.submitPassword(token: token, password: "correct horse", context: Self.context)
            }
            let user = try #require(try await f.store.user(principalName: "alice@contoso.com"))
            #expect(try await f.store.pendingChallenges(userID: user.id).isEmpty, "the push of a rolled-back step stayed")
            #expect(f.probe.calls.count == calls, "a rolled-back step told the phone")
            #expect(try #require(try await f.store.signIn(id: signInID)).steps.count == before, "a rolled-back step stayed in the sign-in log")
            try await f.store.db.raw("DROP TRIGGER break_flow").run()
            // The flow is as it was: the password page again gives the push.
            #expect(try await signIn.submitPassword(token: token, password: "correct horse", context: Self.context).stage == .push)
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }

    @Test("A refusal still commits what its step wrote: the wrong password's log step and count")
    func refusalCommits() async throws {
        let f = try await Self.fixture()
        do {
            let signIn = SignInService(env: f.env)
            let (token, started) = try await signIn.begin(username: "alice@contoso.com", context: Self.context)
            let signInID = try #require(started.signInID)
            await #expect(throws: TandemError.self) {
                _ = try await signIn.submitPassword(token: token, password: "wrong", context: Self.context)
            }
            let record = try #require(try await f.probe.reader.signIn(id: signInID))
            #expect(record.steps.contains { $0.detail == "Incorrect password" && !$0.succeeded })
        } catch {
            await f.close()
            throw error
        }
        await f.close()
    }
}
