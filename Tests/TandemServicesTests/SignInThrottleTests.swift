import Foundation
import Synchronization
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// Decision 0013 from the attacker's side, over the services with a manual clock: password
/// guessing, a source address spraying names, an anonymous flood of phone sign-in requests, MFA
/// that must fail closed, factor changes from a weak session, and what the password page costs.
@Suite("Sign-in throttling and locks")
struct SignInThrottleTests {
    static func context(_ ip: String) -> ChallengeContext {
        ChallengeContext(application: "Tandem", ipAddress: ip, location: "", browser: "Attacker")
    }

    /// One password attempt: `nil` when it signed in (a flow past the password), else the error code.
    static func attempt(_ s: Scenario, _ password: String, user: String = "alice@contoso.com", ip: String = "203.0.113.5") async throws -> TandemError.Code? {
        let (token, _) = try await s.signIn.begin(username: user, context: context(ip))
        do {
            _ = try await s.signIn.submitPassword(token: token, password: password, context: context(ip))
            return nil
        } catch let error as TandemError {
            return error.code
        }
    }

    @Test("350 wrong passwords then the right one: at most 5 are checked, the right one is refused until the wait is over")
    func guessing() async throws {
        let s = try await Scenario()
        var codes: [TandemError.Code?] = []
        for i in 0..<350 { codes.append(try await Self.attempt(s, "guess-\(i)", ip: "203.0.113.\(i % 200)")) }
        #expect(codes.prefix(5).allSatisfy { $0 == .unauthorized })
        #expect(codes.dropFirst(5).allSatisfy { $0 == .tooManyRequests }, "\(codes.dropFirst(5).filter { $0 != .tooManyRequests }.count) attempts were checked")
        #expect(try await Self.attempt(s, "correct horse") == .tooManyRequests)
        let log = try await s.t.storage.signIns(limit: 5, before: nil)
        #expect(log.first?.errorCode == 50053)
        #expect(log.first?.additionalDetails?.contains("wait") == true)
        s.t.clock.advance(by: 2)
        #expect(try await Self.attempt(s, "correct horse") == nil)
        // The right password ended the count: the next wrong one is free again.
        #expect(try await Self.attempt(s, "wrong") == .unauthorized)
        #expect(try await Self.attempt(s, "wrong") == .unauthorized)
    }

    @Test("At 100 consecutive failures the name locks; the lock refuses the right password and ends on its own after an hour")
    func lockExpires() async throws {
        let s = try await Scenario()
        for i in 0..<100 {
            s.t.clock.advance(by: 301)   // past the longest wait, so every guess is checked
            #expect(try await Self.attempt(s, "guess-\(i)") == .unauthorized)
        }
        let audit = try await s.t.storage.audits(limit: 5, before: nil)
        #expect(audit.contains { $0.activity == "Lock sign-in after repeated incorrect attempts" && $0.targetID == s.user.id })
        s.t.clock.advance(by: 301)
        #expect(try await Self.attempt(s, "correct horse") == .tooManyRequests)
        s.t.clock.advance(by: 3239)   // 59 minutes after the lock
        #expect(try await Self.attempt(s, "correct horse") == .tooManyRequests)
        s.t.clock.advance(by: 61)
        #expect(try await Self.attempt(s, "correct horse") == nil)
        // The user is told on their pages.
        #expect(try await SecurityInfoService(env: s.t.env).lockNotice(for: s.user)?.contains("locked") == true)
    }

    @Test("A locked name still takes an administrator's Temporary Access Pass, which ends the lock")
    func passLiftsTheLock() async throws {
        let s = try await Scenario()
        try await SignInThrottleService(env: s.t.env).saveSettings(SignInProtectionSettings(freeFailures: 3, lockThreshold: 3), by: nil)
        for i in 0..<3 { #expect(try await Self.attempt(s, "guess-\(i)") == .unauthorized) }
        #expect(try await Self.attempt(s, "correct horse") == .tooManyRequests)
        let (_, pass) = try await TemporaryAccessPassService(env: s.t.env).create(for: s.user, .init(), by: nil)
        #expect(try await Self.attempt(s, pass) == nil)
        #expect(try await Self.attempt(s, "correct horse") == nil)
    }

    @Test("A locked name is let in by the user's phone sign-in, which ends the lock for the password too")
    func phoneSignInLiftsTheLock() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        try await s.enablePhoneSignIn(phone)
        try await SignInThrottleService(env: s.t.env).saveSettings(SignInProtectionSettings(freeFailures: 3, lockThreshold: 3), by: nil)
        for i in 0..<3 { #expect(try await Self.attempt(s, "guess-\(i)") == .unauthorized) }
        #expect(try await Self.attempt(s, "correct horse") == .tooManyRequests)
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        _ = try await s.signIn.usePasswordless(token: token, context: Scenario.context)
        let (offer, number) = try await s.offer(for: token, phone: phone)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        #expect(try await s.signIn.complete(token: token).session.methods.contains("pin"))
        let (again, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context, browserMethod: "password.x")
        _ = try await s.signIn.usePassword(token: again)
        #expect(try await s.signIn.submitPassword(token: again, password: "correct horse", context: Scenario.context).stage == .push)
    }

    @Test("An unknown name is throttled exactly like a known one, so the refusals tell nothing")
    func unknownNames() async throws {
        let s = try await Scenario()
        var known: [TandemError.Code?] = [], unknown: [TandemError.Code?] = []
        for i in 0..<8 {
            known.append(try await Self.attempt(s, "guess-\(i)"))
            unknown.append(try await Self.attempt(s, "guess-\(i)", user: "nobody@contoso.com"))
        }
        #expect(known == unknown)
        #expect(known.contains(.tooManyRequests))
    }

    @Test("One source address spraying many names runs out of failed attempts; another address doesn't")
    func perAddress() async throws {
        let s = try await Scenario()
        try await SignInThrottleService(env: s.t.env).saveSettings(SignInProtectionSettings(ipBurst: 20, ipPerMinute: 10), by: nil)
        var refused = 0
        for i in 0..<30 where try await Self.attempt(s, "Summer2026!", user: "user\(i)@contoso.com", ip: "198.51.100.9") == .tooManyRequests {
            refused += 1
        }
        #expect(refused == 10)
        #expect(try await Self.attempt(s, "Summer2026!", user: "other@contoso.com", ip: "198.51.100.10") == .unauthorized)
        #expect(try await Self.attempt(s, "correct horse", ip: "198.51.100.9") == .tooManyRequests)
        s.t.clock.advance(by: 6)   // 10 per minute: one back
        #expect(try await Self.attempt(s, "correct horse", ip: "198.51.100.9") == nil)
        let record = try #require(try await s.t.storage.signIns(limit: 50, before: nil).first { $0.errorCode == 50053 })
        #expect(record.additionalDetails?.contains("IP address") == true)
    }

    @Test("Wrong verification codes count on the same name as passwords")
    func codesShareTheCounter() async throws {
        let s = try await Scenario()
        var policy = try await PolicyService(env: s.t.env).authenticatorPolicy()
        policy.isSoftwareOathEnabled = true
        try await PolicyService(env: s.t.env).save(policy, by: nil)
        _ = try await s.addPhone()
        try await PushProtectionService(env: s.t.env).saveSettings(PushProtectionSettings(failureLockThreshold: 100), by: nil)
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        _ = try await s.signIn.chooseCode(token: token)
        #expect(try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context).stage == .code)
        var codes: [TandemError.Code] = []
        for _ in 0..<8 {
            do { _ = try await s.signIn.submitCode(token: token, code: "000000") } catch let error as TandemError { codes.append(error.code) }
        }
        #expect(codes.prefix(5).allSatisfy { $0 == .unauthorized })
        #expect(codes.dropFirst(5).allSatisfy { $0 == .tooManyRequests })
        #expect(try await Self.attempt(s, "correct horse") == .tooManyRequests)
    }
}

/// Counts bcrypt verifications (real and decoy) around the test hasher.
final class CountingPasswordHasher: PasswordHasher {
    let inner = PlainTestPasswordHasher()
    let count = Mutex(0)
    func hash(_ password: String) async throws -> String { try await inner.hash(password) }
    func verify(_ password: String, against hash: String) async -> Bool {
        count.withLock { $0 += 1 }
        return await inner.verify(password, against: hash)
    }
    func verifyDecoy(_ password: String) async {
        count.withLock { $0 += 1 }
        await inner.verifyDecoy(password)
    }
}

@Suite("Anonymous lock-out, fail-closed MFA, step-up, uniform cost")
struct SignInHardeningTests {
    @Test("A flood of phone sign-in requests nobody answers locks nothing and never delays the push after the password")
    func passwordlessFlood() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        try await s.enablePhoneSignIn(phone)
        var sent = 0
        for i in 0..<60 {
            let (token, flow) = try await s.signIn.begin(username: "alice@contoso.com", context: SignInThrottleTests.context("203.0.113.\(i)"))
            if flow.stage == .push { sent += 1; continue }
            if (try? await s.signIn.usePasswordless(token: token, context: SignInThrottleTests.context("203.0.113.\(i)"))) != nil { sent += 1 }
            if i % 10 == 9 {
                s.t.clock.advance(by: 121)   // they time out unanswered
                for pending in try await s.t.storage.pendingChallenges(userID: s.user.id) { _ = try await s.challenges.current(id: pending.id) }
            }
        }
        #expect(sent >= 3 && sent < 60, "\(sent) requests sent")
        #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == 0)
        #expect(!(try await s.t.storage.security(userID: s.user.id)).isPushBarred(at: s.t.clock.now()))
        // The user's own sign-in: password, then the push goes out at once.
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context).stage == .push)
        _ = try await s.signIn.usePassword(token: token)   // withdrawn, not left to time out
        // Denials of phone sign-in requests don't count either (past the flood's waits now).
        s.t.clock.advance(by: 3600)
        let (denied, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        _ = try await s.signIn.usePasswordless(token: denied, context: Scenario.context)
        let (offer, _) = try await s.offer(for: denied, phone: phone)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .deny))
        #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == 0)
    }

    @Test("Wrong numbers lock the second factor, and the lock ends on its own")
    func pushLockExpires() async throws {
        let s = try await Scenario()
        try await PushProtectionService(env: s.t.env).saveSettings(PushProtectionSettings(freePushes: 100, failureLockThreshold: 3, failureLockMinutes: 30), by: nil)
        let phone = try await s.addPhone()
        for _ in 0..<3 {
            let token = try await s.startMFA()
            let (offer, number) = try await s.offer(for: token, phone: phone)
            _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number == "10" ? "11" : "10"))
        }
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        await #expect(throws: TandemError(.locked, "")) {
            _ = try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context)
        }
        #expect(try await SecurityInfoService(env: s.t.env).lockNotice(for: s.user) != nil)
        s.t.clock.advance(by: 30 * 60)
        _ = try await s.startMFA()
        #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == 0)
    }

    enum FailOpen: String, CaseIterable, Sendable { case policyDisabled, emptyTargets, groupOfNobody, notificationsAndCodesOff, enforcedWithoutMethod, noMethod }

    @Test("MFA fails closed: each case without a usable second factor ends in the registration interrupt, never a session", arguments: FailOpen.allCases)
    func failClosed(_ failure: FailOpen) async throws {
        let s = try await Scenario()
        let policy = PolicyService(env: s.t.env)
        var document = try await policy.authenticatorPolicy()
        if ![.enforcedWithoutMethod, .noMethod].contains(failure) { _ = try await s.addPhone() }
        switch failure {
        case .policyDisabled:
            document.state = .disabled
            try await policy.save(document, by: nil)
        case .emptyTargets:
            // Stored before the page and Graph refused it.
            document.includeTargets = []
            try await s.t.storage.savePolicyDocument(id: PolicyService.authenticatorPolicyID, body: String(decoding: try JSONEncoder().encode(document), as: UTF8.self), updatedAt: s.t.clock.now())
        case .groupOfNobody:
            try await s.t.storage.insertGroup(Group(id: "g-empty", displayName: "Nobody", mailNickname: "nobody", createdAt: s.t.clock.now()))
            document.includeTargets = [.init(targetType: .group, id: "g-empty", authenticationMode: .any)]
            try await policy.save(document, by: nil)
        case .notificationsAndCodesOff:
            try await policy.saveLegacySettings(LegacyMFASettings(notificationThroughMobileApp: false, verificationCodeFromMobileApp: false), by: nil)
        case .enforcedWithoutMethod:
            document.excludeTargets = [.init(targetType: .user, id: s.user.id)]
            try await policy.save(document, by: nil)
            var user = s.user
            user.mfaState = .enforced
            try await s.t.storage.updateUser(user)
        case .noMethod:
            break
        }
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context).stage == .register)
        let completed = try await s.signIn.completeSignIn(token: token)
        #expect(completed.registrationOnly)
        #expect(try await s.signIn.user(sessionToken: completed.sessionToken) == nil, "the interrupt's cookie is no session")
        #expect(try await s.signIn.registrationUser(sessionToken: completed.sessionToken)?.0.id == s.user.id)
        #expect(try await s.t.storage.signIns(limit: 1, before: nil).first?.errorCode == 50074)
    }

    @Test("The policy refuses a target list that selects nobody")
    func emptyTargetsRefused() async throws {
        let s = try await Scenario()
        var document = AuthenticatorPolicy.default
        document.includeTargets = []
        await #expect(throws: TandemError(.badRequest, "")) { try await PolicyService(env: s.t.env).save(document, by: nil) }
        #expect(try await PolicyService(env: s.t.env).authenticatorPolicy().includeTargets == AuthenticatorPolicy.default.includeTargets)
    }

    @Test("Methods change only from a recent multi-factor sign-in; the first method also after the password alone")
    func stepUp() async throws {
        let s = try await Scenario()
        let info = SecurityInfoService(env: s.t.env)
        let now = s.t.clock.now()
        let password = Session(id: "p", userID: s.user.id, methods: ["pwd"], createdAt: now, expiresAt: now + 3600)
        let mfa = Session(id: "m", userID: s.user.id, methods: ["mfa", "pwd", "swk"], createdAt: now, expiresAt: now + 3600)
        #expect(try await info.mayAddFirstMethod(s.user))
        let phone = try await s.addPhone()
        #expect(try await !info.mayAddFirstMethod(s.user))
        #expect(try await !info.mayChangeMethods(password))
        #expect(try await info.mayChangeMethods(mfa))
        await #expect(throws: TandemError(.forbidden, "")) { _ = try await info.deleteDevice(id: phone.deviceID, of: s.user, session: password) }
        #expect(try await s.t.storage.device(id: phone.deviceID)?.state == .active)
        s.t.clock.advance(by: 601)
        #expect(try await !info.mayChangeMethods(mfa))
        try await SignInThrottleService(env: s.t.env).saveSettings(SignInProtectionSettings(firstMethodWithPassword: false), by: nil)
        let bob = try await DirectoryService(env: s.t.env).addUser(userPrincipalName: "bob@contoso.com", displayName: "Bob", password: "password-8")
        #expect(try await !info.mayAddFirstMethod(bob))
    }

    @Test("The password page costs two bcrypt checks for every name: unknown, known, disabled, with a pass, without a password")
    func uniformCost() async throws {
        let hasher = CountingPasswordHasher()
        let storage = InMemoryStorage()
        let clock = ManualClock()
        let env = ServiceEnvironment(storage: storage, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(), passwords: hasher,
                                     clock: clock, random: SeededRandomSource(seed: 7), settings: ServiceSettings(publicURL: "http://127.0.0.1"))
        let directory = DirectoryService(env: env)
        _ = try await directory.addUser(userPrincipalName: "known@contoso.com", displayName: nil, password: "password-8")
        let tap = try await directory.addUser(userPrincipalName: "tap@contoso.com", displayName: nil, password: "password-8")
        let nopw = try await directory.addUser(userPrincipalName: "nopw@contoso.com", displayName: nil, password: nil)
        var disabled = try await directory.addUser(userPrincipalName: "disabled@contoso.com", displayName: nil, password: "password-8")
        disabled.accountEnabled = false
        try await storage.updateUser(disabled)
        for user in [tap, nopw] { _ = try await TemporaryAccessPassService(env: env).create(for: user, .init(), by: nil) }
        let signIn = SignInService(env: env)
        for (name, typed) in [("nobody@contoso.com", "wrong-guess"), ("known@contoso.com", "wrong-guess"), ("known@contoso.com", "password-8"),
                              ("tap@contoso.com", "wrong-guess"), ("nopw@contoso.com", "wrong-guess"), ("disabled@contoso.com", "password-8")] {
            let (token, _) = try await signIn.begin(username: name, context: Scenario.context)
            let before = hasher.count.withLock { $0 }
            _ = try? await signIn.submitPassword(token: token, password: typed, context: Scenario.context)
            #expect(hasher.count.withLock { $0 } - before == 2, "\(name)")
        }
    }
}
