import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

@Suite("Sign-in service")
struct SignInServiceTests {
    @Test("Password then push with the right number issues a session with pwd and mfa")
    func mfa() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        #expect(offer.kind == .mfa)
        let verdict = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        #expect(verdict.state == .approved)
        let (sessionToken, session) = try await s.signIn.complete(token: token)
        #expect(session.methods.contains("pwd") && session.methods.contains("mfa"))
        let signedIn = try #require(try await s.signIn.user(sessionToken: sessionToken))
        #expect(signedIn.0.id == s.user.id)
    }

    @Test("After a phone sign-in, the username alone starts a passwordless push")
    func passwordless() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        try await s.enablePhoneSignIn(phone)
        try await s.t.storage.setLastSignInMethod(userID: s.user.id, method: SignInService.LastMethod.passwordless)
        let (token, flow) = try await s.signIn.begin(username: "ALICE@contoso.com", context: Scenario.context)
        #expect(flow.stage == .push)
        let (offer, number) = try await s.offer(for: token, phone: phone)
        #expect(offer.kind == .passwordless)
        // The MFA approval key cannot approve a passwordless request.
        let wrongKey = try phone.answer(offer, .approve, number: number, signedWith: phone.approvalKey)
        await #expect(throws: TandemError(.unauthorized, "")) { try await s.challenges.answer(challengeID: offer.id, wrongKey) }
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        let (_, session) = try await s.signIn.complete(token: token)
        #expect(session.methods.contains("pin") && !session.methods.contains("pwd"))
    }

    @Test("Use your password instead withdraws the passwordless push")
    func usePasswordInstead() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        try await s.enablePhoneSignIn(phone)
        try await s.t.storage.setLastSignInMethod(userID: s.user.id, method: SignInService.LastMethod.passwordless)
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        let (offer, number) = try await s.offer(for: token, phone: phone)
        let flow = try await s.signIn.usePassword(token: token)
        #expect(flow.stage == .password)
        await #expect(throws: TandemError(.conflict, "")) {
            try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        }
        #expect(s.t.push.withdrawals.contains { $0.challengeID == offer.id })
    }

    @Test("A wrong number denies the push, counts a failure, and a new request does not reset it")
    func wrongNumber() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        let wrong = number == "10" ? "11" : "10"
        let verdict = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: wrong))
        #expect(verdict.state == .denied && verdict.reason == .wrongNumber)
        await #expect(throws: TandemError(.conflict, "")) { try await s.signIn.complete(token: token) }
        _ = try await s.signIn.resend(token: token, context: Scenario.context)
        #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == 1)
        let (offer2, number2) = try await s.offer(for: token, phone: phone)
        _ = try await s.challenges.answer(challengeID: offer2.id, phone.answer(offer2, .deny))
        #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == 2)
        _ = number2
    }

    @Test("A late answer is refused by the server clock and the browser sees expired")
    func expiry() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        s.t.clock.advance(by: 121)
        await #expect(throws: TandemError(.expired, "")) {
            try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        }
        #expect(try await s.signIn.status(token: token).state == .expired)
    }

    @Test("An answer after the browser already saw the request expire is 'expired' (410), not 'already answered' (409)")
    func answerAfterExpiryWasRecorded() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        s.t.clock.advance(by: 121)
        #expect(try await s.signIn.status(token: token).state == .expired)   // the read records the expiry
        await #expect(throws: TandemError(.expired, "")) {
            try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        }
    }

    @Test("A replayed answer is refused")
    func replay() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        let answer = try phone.answer(offer, .approve, number: number)
        _ = try await s.challenges.answer(challengeID: offer.id, answer)
        await #expect(throws: TandemError(.conflict, "")) { try await s.challenges.answer(challengeID: offer.id, answer) }
        _ = try await s.signIn.complete(token: token)
        await #expect(throws: TandemError(.unauthorized, "")) { try await s.signIn.complete(token: token) }
    }

    @Test("Forged answers are refused", arguments: ["stranger key", "other number signed", "tampered decision", "unknown device"])
    func forged(variant: String) async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        var answer = try phone.answer(offer, .approve, number: number)
        switch variant {
        case "stranger key": answer = try phone.answer(offer, .approve, number: number, signedWith: TestPhone().approvalKey)
        case "other number signed": answer.signature = try phone.answer(offer, .approve, number: "77").signature
        case "tampered decision": answer.signature = try phone.answer(offer, .deny).signature
        default: answer.deviceId = "AAAAAAAAAAAAAAAAAAAAAA"
        }
        await #expect(throws: TandemError(.unauthorized, "")) { try await s.challenges.answer(challengeID: offer.id, answer) }
        #expect(try await s.t.storage.challenge(id: offer.id)?.state == .pending)
    }

    @Test("With two phones the first answer wins and the other phone is told")
    func twoDevices() async throws {
        let s = try await Scenario()
        let first = try await s.addPhone(name: "First")
        let second = try await s.addPhone(name: "Second")
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: first)
        let delivery = try #require(s.t.push.deliveries.last)
        #expect(Set(delivery.deviceIDs) == [first.deviceID, second.deviceID])
        _ = try await s.challenges.answer(challengeID: offer.id, second.answer(offer, .approve, number: number))
        await #expect(throws: TandemError(.conflict, "")) {
            try await s.challenges.answer(challengeID: offer.id, first.answer(offer, .approve, number: number))
        }
        let withdrawal = try #require(s.t.push.withdrawals.last { $0.challengeID == offer.id })
        #expect(withdrawal.deviceIDs == [first.deviceID])
        #expect(withdrawal.reason == "answeredElsewhere")
    }

    @Test("An unknown user gets the password page and the same error as a wrong password")
    func unknownUser() async throws {
        let s = try await Scenario()
        let (unknownToken, unknownFlow) = try await s.signIn.begin(username: "nobody@contoso.com", context: Scenario.context)
        #expect(unknownFlow.stage == .password)
        var unknownMessage = ""
        do { _ = try await s.signIn.submitPassword(token: unknownToken, password: "x", context: Scenario.context) } catch let e as TandemError { unknownMessage = e.message }
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        var wrongMessage = ""
        do { _ = try await s.signIn.submitPassword(token: token, password: "wrong", context: Scenario.context) } catch let e as TandemError { wrongMessage = e.message }
        #expect(!unknownMessage.isEmpty && unknownMessage == wrongMessage)
    }

    @Test("Send another request withdraws the old one, and never shows the same number twice in a row")
    func resend() async throws {
        let s = try await Scenario()
        try await PushProtectionService(env: s.t.env).saveSettings(PushProtectionSettings(freePushes: 100), by: nil)
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        var (offer, number) = try await s.offer(for: token, phone: phone)
        for _ in 0..<20 {
            _ = try await s.signIn.resend(token: token, context: Scenario.context)
            #expect(try await s.t.storage.challenge(id: offer.id)?.state == .withdrawn)
            let next = try await s.offer(for: token, phone: phone)
            #expect(next.1 != number)
            (offer, number) = next
        }
    }
}
