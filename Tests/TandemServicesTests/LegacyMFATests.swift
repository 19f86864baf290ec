import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

@Suite("Legacy MFA settings")
struct LegacyMFATests {
    static func context(ip: String) -> ChallengeContext {
        ChallengeContext(application: "Tandem", ipAddress: ip, location: "Unknown location", browser: "Test")
    }

    @Test("A trusted IP range skips the push; other addresses still get it")
    func trustedIPs() async throws {
        let s = try await Scenario()
        _ = try await s.addPhone()
        try await PolicyService(env: s.t.env).saveLegacySettings(LegacyMFASettings(trustedIPRanges: ["198.51.100.0/24", "2001:db8::/32"]), by: nil)
        for (ip, expected) in [("198.51.100.23", SignInFlow.Stage.password), ("2001:db8::9", .password), ("203.0.113.9", .push)] {
            let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Self.context(ip: ip))
            let flow = try await s.signIn.submitPassword(token: token, password: "correct horse", context: Self.context(ip: ip))
            #expect(flow.stage == expected, "\(ip)")
        }
    }

    @Test("Notification through mobile app off means no push, and with codes off too, no session: the registration interrupt")
    func notificationOff() async throws {
        let s = try await Scenario()
        _ = try await s.addPhone()
        try await PolicyService(env: s.t.env).saveLegacySettings(LegacyMFASettings(notificationThroughMobileApp: false), by: nil)
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        // Before decision 0013 this was a password-only sign-in (MFA failed open).
        #expect(try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context).stage == .register)
        await #expect(throws: TandemError.self) { _ = try await s.signIn.complete(token: token) }
    }

    @Test("Remember MFA: the browser that did MFA skips it for the configured days, and only for that user")
    func rememberMFA() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        try await PolicyService(env: s.t.env).saveLegacySettings(LegacyMFASettings(rememberMultiFactorDays: 14), by: nil)
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        let completed = try await s.signIn.completeSignIn(token: token)
        let remember = try #require(completed.rememberToken)
        #expect(completed.rememberDays == 14)
        let (again, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(try await s.signIn.submitPassword(token: again, password: "correct horse", context: Scenario.context, rememberedBrowser: remember).stage == .password)
        let (other, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(try await s.signIn.submitPassword(token: other, password: "correct horse", context: Scenario.context, rememberedBrowser: "forged").stage == .push)
        s.t.clock.advance(by: 15 * 86_400)
        let (late, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(try await s.signIn.submitPassword(token: late, password: "correct horse", context: Scenario.context, rememberedBrowser: remember).stage == .push)
    }

    @Test("Per-user MFA enabled without a registered method sends the user to register")
    func registrationInterrupt() async throws {
        let s = try await Scenario()
        _ = try await DirectoryAdminService(env: s.t.env).updateUser(s.user, displayName: nil, accountEnabled: nil, password: nil, mfaState: .enforced, by: nil)
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        _ = try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context)
        #expect(try await s.signIn.completeSignIn(token: token).registrationRequired)
    }

    @Test("Settings are validated and audited", arguments: [
        LegacyMFASettings(rememberMultiFactorDays: 366), LegacyMFASettings(trustedIPRanges: ["10.0.0.0/33"]), LegacyMFASettings(trustedIPRanges: ["nope"]),
    ])
    func validation(settings: LegacyMFASettings) async throws {
        let s = try await Scenario()
        await #expect(throws: TandemError(.badRequest, "")) { try await PolicyService(env: s.t.env).saveLegacySettings(settings, by: nil) }
        try await PolicyService(env: s.t.env).saveLegacySettings(LegacyMFASettings(rememberMultiFactorDays: 7), by: s.user)
        let audit = try #require(try await s.t.storage.audits(limit: 5, before: nil).first)
        #expect(audit.activity == "Update MFA service settings" && audit.initiatedByID == s.user.id)
        #expect(audit.newValue?.contains("\"rememberMultiFactorDays\":7") == true)
    }
}
