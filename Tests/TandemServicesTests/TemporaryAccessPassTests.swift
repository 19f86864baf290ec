import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// Temporary Access Passes: issuing within Graph's limits, only a hash kept, sign-in without a
/// password, one-time use, expiry, and onboarding to the authenticator.
@Suite("Temporary Access Pass")
struct TemporaryAccessPassTests {
    /// Bob, who has no password.
    static func bob(_ s: Scenario) async throws -> User {
        try await DirectoryService(env: s.t.env).addUser(userPrincipalName: "bob@contoso.com", displayName: "Bob", password: nil)
    }

    @Test("A pass has the asked length from the unambiguous alphabet, and only its hash is stored", arguments: [8, 20, 48])
    func issue(length: Int) async throws {
        let s = try await Scenario()
        let (pass, code) = try await TemporaryAccessPassService(env: s.t.env).create(for: s.user, .init(length: length), by: nil)
        #expect(code.count == length)
        #expect(code.allSatisfy { TemporaryAccessPassService.alphabet.contains($0) })
        let stored = try #require(try await s.t.storage.temporaryAccessPass(id: pass.id))
        #expect(!stored.passHash.contains(code) && stored.passHash != code)
        #expect(await s.t.env.passwords.verify(code, against: stored.passHash))
        #expect(try await s.t.storage.audits(limit: 10, before: nil).contains { $0.activity.contains("temporary access pass") })
    }

    @Test("Lifetime and length outside Graph's limits are refused", arguments: [(9, 8), (43_201, 8), (60, 7), (60, 49)])
    func limits(lifetime: Int, length: Int) async throws {
        let s = try await Scenario()
        await #expect(throws: TandemError(.badRequest, "")) {
            try await TemporaryAccessPassService(env: s.t.env).create(for: s.user, .init(lifetimeMinutes: lifetime, length: length), by: nil)
        }
    }

    @Test("A user has one pass at a time; a spent one makes room")
    func onePerUser() async throws {
        let s = try await Scenario()
        let passes = TemporaryAccessPassService(env: s.t.env)
        _ = try await passes.create(for: s.user, .init(lifetimeMinutes: 10), by: nil)
        await #expect(throws: TandemError(.badRequest, "")) { try await passes.create(for: s.user, .init(), by: nil) }
        s.t.clock.advance(by: 601)
        _ = try await passes.create(for: s.user, .init(), by: nil)
        #expect(try await s.t.storage.temporaryAccessPasses(userID: s.user.id).count == 1)
    }

    @Test("A user with no password signs in with the pass (tap mfa) and is sent to register the authenticator")
    func signIn() async throws {
        let s = try await Scenario()
        let bob = try await Self.bob(s)
        let (_, code) = try await TemporaryAccessPassService(env: s.t.env).create(for: bob, .init(), by: nil)
        let (token, flow) = try await s.signIn.begin(username: "bob@contoso.com", context: Scenario.context)
        #expect(flow.stage == .password)
        #expect(try await s.signIn.options(token: token).temporaryAccessPass)
        let after = try await s.signIn.submitPassword(token: token, password: code, context: Scenario.context)
        #expect(after.stage == .password && after.proven == [.temporaryAccessPass])
        let completed = try await s.signIn.completeSignIn(token: token)
        #expect(completed.session.methods == ["mfa", "tap"])
        #expect(completed.registrationRequired)
        let signInID = try #require(flow.signInID)
        let record = try #require(try await s.t.storage.signIn(id: signInID))
        #expect(record.steps.contains { $0.method == "Temporary Access Pass" && $0.succeeded && !$0.detail.contains(code) })
    }

    @Test("A one-time pass works once; a multi-use pass again", arguments: [true, false])
    func oneTime(once: Bool) async throws {
        let s = try await Scenario()
        let bob = try await Self.bob(s)
        let (_, code) = try await TemporaryAccessPassService(env: s.t.env).create(for: bob, .init(isUsableOnce: once), by: nil)
        for attempt in 0..<2 {
            let (token, _) = try await s.signIn.begin(username: "bob@contoso.com", context: Scenario.context)
            if once && attempt == 1 {
                await #expect(throws: TandemError(.unauthorized, "Your account or password is incorrect.")) {
                    try await s.signIn.submitPassword(token: token, password: code, context: Scenario.context)
                }
            } else {
                _ = try await s.signIn.submitPassword(token: token, password: code, context: Scenario.context)
            }
        }
    }

    @Test("A pass before its start, after its end, or mistyped is refused like a wrong password", arguments: ["early", "late", "wrong"])
    func refused(when: String) async throws {
        let s = try await Scenario()
        let bob = try await Self.bob(s)
        let start = when == "early" ? s.t.clock.now().addingTimeInterval(3600) : nil
        let (_, code) = try await TemporaryAccessPassService(env: s.t.env).create(for: bob, .init(startAt: start, lifetimeMinutes: 10), by: nil)
        if when == "late" { s.t.clock.advance(by: 601) }
        let (token, _) = try await s.signIn.begin(username: "bob@contoso.com", context: Scenario.context)
        await #expect(throws: TandemError(.unauthorized, "Your account or password is incorrect.")) {
            try await s.signIn.submitPassword(token: token, password: when == "wrong" ? code + "x" : code, context: Scenario.context)
        }
    }

    @Test("A user with a password may use the pass instead, without a second factor")
    func insteadOfPassword() async throws {
        let s = try await Scenario()
        _ = try await s.addPhone()
        let (_, code) = try await TemporaryAccessPassService(env: s.t.env).create(for: s.user, .init(), by: nil)
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(try await s.signIn.submitPassword(token: token, password: code, context: Scenario.context).stage == .password)
        #expect(try await s.signIn.completeSignIn(token: token).session.methods == ["mfa", "tap"])
    }

    @Test("Onboarding: pass, register the authenticator, turn on phone sign-in, then passwordless from the next sign-in")
    func onboarding() async throws {
        let s = try await Scenario()
        let bob = try await Self.bob(s)
        let (_, code) = try await TemporaryAccessPassService(env: s.t.env).create(for: bob, .init(isUsableOnce: true), by: nil)
        let (token, _) = try await s.signIn.begin(username: "bob@contoso.com", context: Scenario.context)
        _ = try await s.signIn.submitPassword(token: token, password: code, context: Scenario.context)
        let (sessionToken, _) = try await s.signIn.complete(token: token)
        let (signedIn, _) = try #require(try await s.signIn.user(sessionToken: sessionToken))
        var phone = TestPhone()
        let (_, activation, _) = try await s.registration.createActivation(for: signedIn)
        phone.deviceID = try await s.registration.activate(phone.activation(code: activation), context: Scenario.context).deviceId
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        let offer = try #require(try await s.devices.pending(for: device).first)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: try #require(try await s.t.storage.challenge(id: offer.id)?.number)))
        try await s.enablePhoneSignIn(phone)
        let (next, flow) = try await s.signIn.begin(username: "bob@contoso.com", context: Scenario.context)
        #expect(flow.stage == .push)
        let (pushed, number) = try await s.offer(for: next, phone: phone)
        _ = try await s.challenges.answer(challengeID: pushed.id, phone.answer(pushed, .approve, number: number))
        #expect(try await s.signIn.complete(token: next).session.methods == ["mfa", "pin", "swk"])
    }
}
