import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// Any authenticator app (decision 0031): the pending secret, the first code, the recent-MFA
/// rule, the policy, deletion by its owner only, and codes from the app at sign-in.
@Suite("Software OATH methods")
struct SoftwareOathServiceTests {
    /// Alice with codes on in the policy and a session that may change methods.
    static func scenario(codes: Bool = true) async throws -> (Scenario, Session, SoftwareOathService) {
        let s = try await Scenario()
        if codes { try await VerificationCodeServiceTests.enableCodes(s) }
        return (s, try await PasskeyServiceTests.strongSession(s), SoftwareOathService(env: s.t.env))
    }

    /// Password, then the code page (for a user whose only second factor is the app, the code
    /// page comes at once).
    static func codePage(_ s: Scenario) async throws -> String {
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        let flow = try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context)
        if flow.stage != .code { #expect(try await s.signIn.useCode(token: token).stage == .code) }
        return token
    }

    static func totp(_ enrolment: SoftwareOathService.Enrolment) throws -> TOTP {
        try TOTPKeyURI(parsing: enrolment.keyURI).totp
    }

    @Test("The key URI names the issuer and the UPN and carries the secret shown in base32")
    func keyURI() async throws {
        let (s, session, service) = try await Self.scenario()
        let enrolment = try await service.begin(for: s.user, session: session)
        let uri = try TOTPKeyURI(parsing: enrolment.keyURI)
        #expect(uri.issuer == "Tandem" && uri.accountName == "alice@contoso.com")
        #expect(uri.totp.base32Secret == enrolment.secret && Base32.decode(enrolment.secret)?.count == TOTP.issuedSecretLength)
        #expect(try await service.methods(of: s.user).isEmpty, "pending until the first code")
    }

    @Test("The right first code adds the method, audited; its code then works once at sign-in")
    func addThenSignIn() async throws {
        let (s, session, service) = try await Self.scenario()
        let enrolment = try await service.begin(for: s.user, session: session)
        let totp = try Self.totp(enrolment)
        let first = totp.code(at: s.t.clock.now())
        let (method, _) = try await service.finish(pendingID: enrolment.pendingID, code: first, for: s.user, session: session)
        #expect(try await service.methods(of: s.user).map(\.id) == [method.id])
        #expect(try await s.t.storage.audits(limit: 50, before: nil).contains { $0.activity == "Add software OATH token method" && $0.targetID == s.user.id })
        // The first code's step is used: the same code cannot sign in.
        let token = try await Self.codePage(s)
        await #expect(throws: TandemError(.unauthorized, "")) { _ = try await s.signIn.submitCode(token: token, code: first) }
        s.t.clock.advance(by: 30)
        let next = totp.code(at: s.t.clock.now())
        _ = try await s.signIn.submitCode(token: token, code: next)
        #expect(try await s.signIn.completeSignIn(token: token).session.methods == ["mfa", "otp", "pwd"])
        // Replayed at once in another sign-in: refused.
        let again = try await Self.codePage(s)
        await #expect(throws: TandemError(.unauthorized, "")) { _ = try await s.signIn.submitCode(token: again, code: next) }
    }

    @Test("A wrong first code is refused and adds nothing; the right one still works")
    func wrongFirstCode() async throws {
        let (s, session, service) = try await Self.scenario()
        let enrolment = try await service.begin(for: s.user, session: session)
        let right = try Self.totp(enrolment).code(at: s.t.clock.now())
        let wrong = String(format: "%06d", (Int(right)! + 1) % 1_000_000)
        await #expect(throws: TandemError(.badRequest, "")) {
            _ = try await service.finish(pendingID: enrolment.pendingID, code: wrong, for: s.user, session: session)
        }
        #expect(try await service.methods(of: s.user).isEmpty)
        _ = try await service.finish(pendingID: enrolment.pendingID, code: right, for: s.user, session: session)
        #expect(try await service.methods(of: s.user).count == 1)
    }

    @Test("The pending secret expires after 10 minutes by the server clock")
    func pendingExpires() async throws {
        let (s, session, service) = try await Self.scenario()
        let enrolment = try await service.begin(for: s.user, session: session)
        s.t.clock.advance(by: SoftwareOathService.pendingLifetime + 1)
        let code = try Self.totp(enrolment).code(at: s.t.clock.now())
        let fresh = try await PasskeyServiceTests.strongSession(s)
        await #expect(throws: TandemError(.badRequest, "")) {
            _ = try await service.finish(pendingID: enrolment.pendingID, code: code, for: s.user, session: fresh)
        }
        #expect(try await service.methods(of: s.user).isEmpty)
    }

    @Test("A pending secret is confirmed once: a second confirmation is refused")
    func singleUse() async throws {
        let (s, session, service) = try await Self.scenario()
        let enrolment = try await service.begin(for: s.user, session: session)
        let totp = try Self.totp(enrolment)
        _ = try await service.finish(pendingID: enrolment.pendingID, code: totp.code(at: s.t.clock.now()), for: s.user, session: session)
        s.t.clock.advance(by: 30)
        let fresh = try await PasskeyServiceTests.strongSession(s)
        await #expect(throws: TandemError(.badRequest, "")) {
            _ = try await service.finish(pendingID: enrolment.pendingID, code: totp.code(at: s.t.clock.now()), for: s.user, session: fresh)
        }
        #expect(try await service.methods(of: s.user).count == 1)
    }

    @Test("Without an MFA sign-in within the step-up window, neither adding nor finishing nor deleting is allowed")
    func needsRecentMFA() async throws {
        let (s, session, service) = try await Self.scenario()
        let now = s.t.clock.now()
        let password = Session(id: "pwd-only", userID: s.user.id, methods: ["pwd"], createdAt: now, expiresAt: now.addingTimeInterval(3600))
        let minutes = try await SignInThrottleService(env: s.t.env).settings().stepUpMinutes
        let stale = Session(id: "mfa-stale", userID: s.user.id, methods: ["mfa", "pwd"],
                            createdAt: now.addingTimeInterval(-Double(minutes + 1) * 60), expiresAt: now.addingTimeInterval(3600))
        for old in [password, stale] {
            try await s.t.storage.insertSession(old)
            await #expect(throws: TandemError(.forbidden, "")) { _ = try await service.begin(for: s.user, session: old) }
        }
        let enrolment = try await service.begin(for: s.user, session: session)
        let code = try Self.totp(enrolment).code(at: s.t.clock.now())
        for old in [password, stale] {
            await #expect(throws: TandemError(.forbidden, "")) {
                _ = try await service.finish(pendingID: enrolment.pendingID, code: code, for: s.user, session: old)
            }
        }
        #expect(try await service.methods(of: s.user).isEmpty)
        let (method, _) = try await service.finish(pendingID: enrolment.pendingID, code: code, for: s.user, session: session)
        for old in [password, stale] {
            await #expect(throws: TandemError(.forbidden, "")) { _ = try await service.delete(id: method.id, of: s.user, session: old) }
        }
        #expect(try await service.methods(of: s.user).count == 1)
    }

    @Test("Another user can neither confirm nor delete the method: not found")
    func anotherUser() async throws {
        let (s, session, service) = try await Self.scenario()
        let enrolment = try await service.begin(for: s.user, session: session)
        let totp = try Self.totp(enrolment)
        let bob = try await DirectoryService(env: s.t.env).addUser(userPrincipalName: "bob@contoso.com", displayName: "Bob", password: "battery staple")
        let bobs = Session(id: "bob-strong", userID: bob.id, methods: ["mfa", "pwd"], createdAt: s.t.clock.now(),
                           expiresAt: s.t.clock.now().addingTimeInterval(3600))
        try await s.t.storage.insertSession(bobs)
        await #expect(throws: TandemError(.badRequest, "")) {
            _ = try await service.finish(pendingID: enrolment.pendingID, code: totp.code(at: s.t.clock.now()), for: bob, session: bobs)
        }
        let (method, _) = try await service.finish(pendingID: enrolment.pendingID, code: totp.code(at: s.t.clock.now()), for: s.user, session: session)
        await #expect(throws: TandemError(.notFound, "")) { _ = try await service.delete(id: method.id, of: bob, session: bobs) }
        #expect(try await service.methods(of: s.user).count == 1)
        let fresh = try await PasskeyServiceTests.strongSession(s)
        _ = try await service.delete(id: method.id, of: s.user, session: fresh)
        #expect(try await service.methods(of: s.user).isEmpty)
        #expect(try await s.t.storage.audits(limit: 50, before: nil).contains { $0.activity == "Delete software OATH token method" })
    }

    @Test("With codes off in the policy nothing can be added, and a method already added does not sign in")
    func policyOff() async throws {
        let (s, session, service) = try await Self.scenario(codes: false)
        await #expect(throws: TandemError(.forbidden, "")) { _ = try await service.begin(for: s.user, session: session) }
        // Added while on, then turned off: the code step is refused (fail closed).
        try await VerificationCodeServiceTests.enableCodes(s)
        let enrolment = try await service.begin(for: s.user, session: session)
        let totp = try Self.totp(enrolment)
        _ = try await service.finish(pendingID: enrolment.pendingID, code: totp.code(at: s.t.clock.now()), for: s.user, session: session)
        var policy = try await PolicyService(env: s.t.env).authenticatorPolicy()
        policy.isSoftwareOathEnabled = false
        try await PolicyService(env: s.t.env).save(policy, by: nil)
        s.t.clock.advance(by: 30)
        let user = s.user
        await #expect(throws: TandemError(.forbidden, "")) {
            try await VerificationCodeService(env: s.t.env).verify(totp.code(at: s.t.clock.now()), for: user)
        }
        #expect(try await VerificationCodeService(env: s.t.env).available(for: s.user) == false)
    }

    @Test("A user whose only method is another app is no first-time user: a password alone adds nothing beside it")
    func appCountsAsAMethod() async throws {
        let s = try await Scenario()
        try await VerificationCodeServiceTests.enableCodes(s)
        let info = SecurityInfoService(env: s.t.env)
        #expect(try await info.mayAddFirstMethod(s.user))
        let now = s.t.clock.now()
        let method = SoftwareOathMethod(id: UUID().uuidString, userID: s.user.id, secret: "sealed1.x", state: .pending,
                                        name: SoftwareOathService.methodName, createdAt: now, expiresAt: now + 600)
        try await s.t.storage.insertSoftwareOathMethod(method)
        #expect(try await info.mayAddFirstMethod(s.user), "a pending app is not a method yet")
        #expect(try await s.t.storage.activateSoftwareOathMethod(id: method.id, userID: s.user.id, step: 1, now: now))
        #expect(try await info.hasActiveMethod(s.user))
        #expect(try await !info.mayAddFirstMethod(s.user))
    }
}
