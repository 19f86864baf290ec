import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// Verification codes on the server: the secret at activation, the code page after the password,
/// ±1 step, each step once, failures counted, the legacy switch, deletion.
@Suite("Verification codes (server)")
struct VerificationCodeServiceTests {
    /// Alice with software OATH on in the policy and one registered phone; returns its TOTP.
    static func scenario() async throws -> (Scenario, TestPhone, TOTP) {
        let s = try await Scenario()
        try await Self.enableCodes(s)
        let phone = try await s.addPhone()
        let credential = try #require(try await s.t.storage.totpCredentials(userID: s.user.id).first)
        return (s, phone, try TOTP(secret: try #require(Base32.decode(credential.secret))))
    }

    static func enableCodes(_ s: Scenario) async throws {
        var policy = try await PolicyService(env: s.t.env).authenticatorPolicy()
        policy.isSoftwareOathEnabled = true
        try await PolicyService(env: s.t.env).save(policy, by: nil)
    }

    /// Password, then "I can't use my Authenticator app right now": the code page.
    static func codePage(_ s: Scenario) async throws -> String {
        let token = try await s.startMFA()
        #expect(try await s.signIn.useCode(token: token).stage == .code)
        return token
    }

    @Test("Activation issues a 160-bit base32 secret only when the policy turns codes on")
    func activationSecret() async throws {
        for codes in [true, false] {
            let s = try await Scenario()
            if codes { try await Self.enableCodes(s) }
            let (_, code, _) = try await s.registration.createActivation(for: s.user)
            let response = try await s.registration.activate(TestPhone().activation(code: code), context: Scenario.context)
            if codes {
                let secret = try #require(response.totpSecret)
                #expect(Base32.decode(secret)?.count == TOTP.issuedSecretLength)
                #expect(try await s.t.storage.totpCredentials(userID: s.user.id).isEmpty, "not usable before the device is confirmed")
            } else {
                #expect(response.totpSecret == nil)
            }
        }
    }

    @Test("The legacy verification-code setting turns codes off: no secret, no code page")
    func legacySwitch() async throws {
        let (s, _, _) = try await Self.scenario()
        var legacy = try await PolicyService(env: s.t.env).legacySettings()
        legacy.verificationCodeFromMobileApp = false
        try await PolicyService(env: s.t.env).saveLegacySettings(legacy, by: nil)
        let (_, code, _) = try await s.registration.createActivation(for: s.user)
        #expect(try await s.registration.activate(TestPhone().activation(code: code), context: Scenario.context).totpSecret == nil)
        let token = try await s.startMFA()
        await #expect(throws: TandemError(.conflict, "")) { try await s.signIn.useCode(token: token) }
        #expect(try await s.signIn.options(token: token).verificationCode == false)
    }

    @Test("The right code after the password signs in with pwd otp mfa; the log has the step, never the code")
    func signIn() async throws {
        let (s, _, totp) = try await Self.scenario()
        let token = try await Self.codePage(s)
        let code = totp.code(at: s.t.clock.now())
        _ = try await s.signIn.submitCode(token: token, code: code)
        let completed = try await s.signIn.completeSignIn(token: token)
        #expect(completed.session.methods == ["mfa", "otp", "pwd"])
        let flow = try #require(try await s.t.storage.flow(id: SecretDigest.of(token)))
        let signInID = try #require(flow.signInID)
        let record = try #require(try await s.t.storage.signIn(id: signInID))
        let step = try #require(record.steps.last { $0.method == "Verification code" })
        #expect(step.succeeded && !step.detail.contains(code))
        #expect(record.errorCode == 0)
    }

    @Test("A code one step early or late is accepted; two steps away is not", arguments: [-1, 1, -2, 2])
    func window(offset: Int) async throws {
        let (s, _, totp) = try await Self.scenario()
        let token = try await Self.codePage(s)
        let code = totp.code(at: s.t.clock.now().addingTimeInterval(Double(offset * 30)))
        if abs(offset) <= 1 {
            #expect(try await s.signIn.submitCode(token: token, code: code).proven.contains(.verificationCode))
        } else {
            await #expect(throws: TandemError(.unauthorized, "")) { try await s.signIn.submitCode(token: token, code: code) }
        }
    }

    @Test("A code works once: the same code again, even in a new sign-in, is refused and counted")
    func reuse() async throws {
        let (s, _, totp) = try await Self.scenario()
        let code = totp.code(at: s.t.clock.now())
        let first = try await Self.codePage(s)
        _ = try await s.signIn.submitCode(token: first, code: code)
        _ = try await s.signIn.completeSignIn(token: first)
        let second = try await Self.codePage(s)
        do {
            _ = try await s.signIn.submitCode(token: second, code: code)
            Issue.record("a reused code was accepted")
        } catch let error as TandemError {
            #expect(error.code == .unauthorized && error.message == VerificationCodeService.reusedMessage)
        }
        #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == 1)
        // The next step's code works.
        s.t.clock.advance(by: 30)
        #expect(try await s.signIn.submitCode(token: second, code: totp.code(at: s.t.clock.now())).proven.contains(.verificationCode))
        #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == 0, "a success resets the failures")
    }

    @Test("Two requests racing with one code: exactly one wins")
    func race() async throws {
        let (s, _, totp) = try await Self.scenario()
        let code = totp.code(at: s.t.clock.now())
        let codes = VerificationCodeService(env: s.t.env)
        let user = s.user
        let wins = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<8 { group.addTask { (try? await codes.verify(code, for: user)) != nil } }
            var count = 0
            for await won in group where won { count += 1 }
            return count
        }
        #expect(wins == 1)
    }

    @Test("Wrong codes count as failures and lock at the bound; a locked user's right code is refused")
    func failuresLock() async throws {
        let (s, _, totp) = try await Self.scenario()
        try await PushProtectionService(env: s.t.env).saveSettings(PushProtectionSettings(failureLockThreshold: 3), by: nil)
        let token = try await Self.codePage(s)
        let right = totp.code(at: s.t.clock.now())
        let wrong = right == "000000" ? "111111" : "000000"
        for _ in 0..<3 {
            await #expect(throws: TandemError(.unauthorized, "")) { try await s.signIn.submitCode(token: token, code: wrong) }
        }
        #expect(try await s.t.storage.security(userID: s.user.id).pushLockedAt != nil)
        await #expect(throws: TandemError(.locked, "")) { try await s.signIn.submitCode(token: token, code: right) }
        await #expect(throws: TandemError(.unauthorized, "")) { try await s.signIn.completeSignIn(token: token) }
    }

    @Test("Malformed codes are refused, never trap", arguments: ["", "12345", "1234567", "abcdef", "１２３４５６", String(repeating: "9", count: 10_000)])
    func malformed(code: String) async throws {
        let (s, _, _) = try await Self.scenario()
        let token = try await Self.codePage(s)
        await #expect(throws: TandemError(.unauthorized, "")) { try await s.signIn.submitCode(token: token, code: code) }
    }

    @Test("Spaces in a typed code are ignored")
    func spaces() async throws {
        let (s, _, totp) = try await Self.scenario()
        let token = try await Self.codePage(s)
        let code = totp.code(at: s.t.clock.now())
        #expect(try await s.signIn.submitCode(token: token, code: String(code.prefix(3)) + " " + String(code.suffix(3))).proven.contains(.verificationCode))
    }

    @Test("I can't use my Authenticator app withdraws the notification; the code page can send one again")
    func cantUseApp() async throws {
        let (s, phone, _) = try await Self.scenario()
        let token = try await s.startMFA()
        let pushed = try #require(try await s.signIn.flow(token: token).challengeID)
        _ = try await s.signIn.useCode(token: token)
        #expect(try await s.t.storage.challenge(id: pushed)?.state == .withdrawn)
        let options = try await s.signIn.options(token: token)
        #expect(options.stage == .code && options.notification)
        #expect(try await s.signIn.useNotification(token: token, context: Scenario.context).stage == .push)
        let (offer, _) = try await s.offer(for: token, phone: phone)
        #expect(offer.kind == .mfa)
    }

    @Test("Use a verification code on the password page, or the default method, leads to the code page", arguments: ["choice", "default"])
    func codeFirst(how: String) async throws {
        let (s, _, _) = try await Self.scenario()
        if how == "default" {
            try await SecurityInfoService(env: s.t.env).setDefaultMethod("oath", for: s.user)
        }
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(try await s.signIn.options(token: token).verificationCode)
        if how == "choice" { #expect(try await s.signIn.chooseCode(token: token).choice == .code) }
        let flow = try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context)
        #expect(flow.stage == .code && flow.challengeID == nil)
        #expect(s.t.push.deliveries.allSatisfy { $0.offer.kind == .registration }, "no notification was sent")
    }

    @Test("Without codes on, the code page refuses and nothing follows from a typed code")
    func codesOff() async throws {
        let s = try await Scenario()
        _ = try await s.addPhone()
        let token = try await s.startMFA()
        await #expect(throws: TandemError(.conflict, "")) { try await s.signIn.useCode(token: token) }
        await #expect(throws: TandemError(.conflict, "")) { try await s.signIn.submitCode(token: token, code: "123456") }
    }

    @Test("Deleting the device ends its codes at once")
    func deletionEndsCodes() async throws {
        let (s, phone, totp) = try await Self.scenario()
        try await SecurityInfoService(env: s.t.env).deleteDevice(id: phone.deviceID, of: s.user)
        #expect(try await s.t.storage.totpCredentials(userID: s.user.id).isEmpty)
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await VerificationCodeService(env: s.t.env).verify(totp.code(at: s.t.clock.now()), for: s.user)
        }
    }
}

@Suite("Codes and passes are never logged")
struct PortalSecretsNotLoggedTests {
    @Test("Issuing and checking a code, and issuing and using a pass, log neither")
    func noSecrets() async throws {
        let capture = CapturingLog()
        let (s, phone, totp) = try await VerificationCodeServiceTests.scenario()
        let codes = VerificationCodeService(env: s.t.env, logger: capture.logger)
        let secret = try await codes.issueSecret(deviceID: phone.deviceID)
        let fresh = try TOTP(secret: try #require(Base32.decode(secret)))
        let code = fresh.code(at: s.t.clock.now())
        try await codes.verify(code, for: s.user)
        _ = try? await codes.verify(code, for: s.user)
        _ = try? await codes.verify(totp.code(at: s.t.clock.now()), for: s.user)
        let passes = TemporaryAccessPassService(env: s.t.env, logger: capture.logger)
        let (_, pass) = try await passes.create(for: s.user, .init(), by: nil)
        #expect(try await passes.redeem(pass, for: s.user))
        let text = capture.text
        #expect(text.contains("verification code accepted") && text.contains("temporary access pass used"))
        for value in [secret, code, pass] { #expect(!text.contains(value)) }
    }
}
