import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// The sign-in experience of decision 0010: the first phone sign-in through "Other ways to sign
/// in", the last method remembered per user and per browser, and the unanswered earlier request.
@Suite("Sign-in experience")
struct SignInExperienceTests {
    /// Alice with a phone that has phone sign-in on.
    static func scenario() async throws -> (Scenario, TestPhone) {
        let s = try await Scenario()
        try await PushProtectionService(env: s.t.env).saveSettings(PushProtectionSettings(freePushes: 100), by: nil)
        let phone = try await s.addPhone()
        try await s.enablePhoneSignIn(phone)
        return (s, phone)
    }

    /// Approves the flow's request on the phone and completes the sign-in.
    static func approve(_ s: Scenario, _ token: String, _ phone: TestPhone) async throws -> SignInService.Completed {
        let (offer, number) = try await s.offer(for: token, phone: phone)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        return try await s.signIn.completeSignIn(token: token)
    }

    @Test("First time: the password page offers the phone; choosing it signs in with pin and is remembered")
    func firstTime() async throws {
        let (s, phone) = try await Self.scenario()
        let (token, flow) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(flow.stage == .password)
        let options = try await s.signIn.options(token: token)
        #expect(options.passwordless && !options.waitingElsewhere)
        #expect(try await s.signIn.usePasswordless(token: token, context: Scenario.context).stage == .push)
        let completed = try await Self.approve(s, token, phone)
        #expect(completed.session.methods == ["mfa", "pin", "swk"])
        #expect(try await s.t.storage.lastSignInMethod(userID: s.user.id) == "passwordless")
        let cookie = try #require(completed.methodCookie)
        // Next time, in this browser and in a new one: the phone at once.
        for browser in [cookie, nil] {
            let (next, flow) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context, browserMethod: browser)
            #expect(flow.stage == .push)
            #expect(try await s.signIn.usePassword(token: next).stage == .password)
        }
    }

    @Test("After a password sign-in the password page comes first again, the phone one choice away")
    func passwordRemembered() async throws {
        let (s, phone) = try await Self.scenario()
        try await s.t.storage.setLastSignInMethod(userID: s.user.id, method: "passwordless")
        let (token, flow) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(flow.stage == .push)
        _ = try await s.signIn.usePassword(token: token)
        _ = try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context)
        let completed = try await Self.approve(s, token, phone)
        #expect(completed.session.methods.contains("pwd"))
        #expect(try await s.t.storage.lastSignInMethod(userID: s.user.id) == "password")
        let (_, again) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context, browserMethod: completed.methodCookie)
        #expect(again.stage == .password)
    }

    @Test("The browser's memory wins over the user's, and only for the user it names")
    func browserFirst() async throws {
        let (s, _) = try await Self.scenario()
        try await s.t.storage.setLastSignInMethod(userID: s.user.id, method: "passwordless")
        let password = SignInService.methodCookie(method: "password", userID: s.user.id)
        #expect(try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context, browserMethod: password).flow.stage == .password)
        let someoneElse = SignInService.methodCookie(method: "password", userID: "another-user")
        for cookie in [someoneElse, "password.AAAAAAAAAAAAAAAA", "password", ""] {
            let (token, flow) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context, browserMethod: cookie)
            #expect(flow.stage == .push, "\(cookie)")
            _ = try await s.signIn.usePassword(token: token)
        }
    }

    @Test("A user without a password (and no pass) gets the phone at once")
    func noPassword() async throws {
        let s = try await Scenario()
        let bob = try await DirectoryService(env: s.t.env).addUser(userPrincipalName: "bob@contoso.com", displayName: "Bob", password: nil)
        var phone = TestPhone()
        let (_, code, _) = try await s.registration.createActivation(for: bob)
        phone.deviceID = try await s.registration.activate(phone.activation(code: code), context: Scenario.context).deviceId
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        let offer = try #require(try await s.devices.pending(for: device).first)
        let number = try #require(try await s.t.storage.challenge(id: offer.id)?.number)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        try await s.enablePhoneSignIn(phone)
        #expect(try await s.signIn.begin(username: "bob@contoso.com", context: Scenario.context).flow.stage == .push)
    }

    @Test("The same browser signing in again withdraws its unanswered request and sends a new one")
    func sameBrowserWithdraws() async throws {
        let (s, _) = try await Self.scenario()
        try await s.t.storage.setLastSignInMethod(userID: s.user.id, method: "passwordless")
        let (first, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        let old = try #require(try await s.signIn.flow(token: first).challengeID)
        let (second, flow) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context, previousFlowToken: first)
        #expect(flow.stage == .push && flow.challengeID != old)
        let withdrawn = try #require(try await s.t.storage.challenge(id: old))
        #expect(withdrawn.state == .withdrawn && withdrawn.reason == .superseded)
        #expect(try await s.signIn.options(token: second).waitingElsewhere == false)
    }

    @Test("An unanswered request from another browser: the password page instead of a second request")
    func otherBrowserGetsThePassword() async throws {
        let (s, phone) = try await Self.scenario()
        try await s.t.storage.setLastSignInMethod(userID: s.user.id, method: "passwordless")
        let (first, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        let old = try #require(try await s.signIn.flow(token: first).challengeID)
        let (second, flow) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(flow.stage == .password)
        let options = try await s.signIn.options(token: second)
        #expect(options.waitingElsewhere && options.passwordless)
        #expect(try await s.t.storage.challenge(id: old)?.state == .pending, "the other browser's request is left alone")
        // Asking for the phone on purpose still works (push protection caps the pending requests).
        #expect(try await s.signIn.usePasswordless(token: second, context: Scenario.context).stage == .push)
        #expect(try await Self.approve(s, second, phone).session.methods.contains("pin"))
        // Once that request is answered or gone, the phone starts at once again.
        _ = try await s.signIn.usePassword(token: first)
        #expect(try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context).flow.stage == .push)
    }

    @Test("The phone is not offered when the policy, the device or a block rules it out")
    func passwordlessNotOffered() async throws {
        let (s, _) = try await Self.scenario()
        var policy = try await PolicyService(env: s.t.env).authenticatorPolicy()
        policy.includeTargets = [.init(targetType: .group, id: AuthenticatorPolicy.allUsers, authenticationMode: .push)]
        try await PolicyService(env: s.t.env).save(policy, by: nil)
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(try await s.signIn.options(token: token).passwordless == false)
        await #expect(throws: TandemError(.conflict, "")) { try await s.signIn.usePasswordless(token: token, context: Scenario.context) }
        let (unknown, _) = try await s.signIn.begin(username: "nobody@contoso.com", context: Scenario.context)
        let nobody = try await s.signIn.options(token: unknown)
        #expect(!nobody.passwordless && !nobody.verificationCode && !nobody.temporaryAccessPass)
    }
}
