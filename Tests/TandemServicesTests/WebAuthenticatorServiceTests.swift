import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// The web authenticator on the server (protocol version 3, decision 0022): activation without an
/// approval key, the approval passkey's registration, approvals that need the passkey's assertion
/// over the answer bytes, phone sign-in proven the same way, and the refusals.
@Suite("Web authenticator service")
struct WebAuthenticatorServiceTests {
    static let publicURL = "http://localhost:8080"
    static let rpID = "localhost"

    static func scenario() async throws -> Scenario {
        try await Scenario(settings: ServiceSettings(publicURL: publicURL))
    }

    /// Activates a web phone; returns it with the activation's answer (not yet confirmed, no passkey).
    static func activate(_ s: Scenario, name: String = "Web phone") async throws -> (TestWebPhone, ActivationResponse) {
        var phone = TestWebPhone(origin: publicURL)
        let (_, code, _) = try await s.registration.createActivation(for: s.user)
        let response = try await s.registration.activate(phone.activation(code: code, name: name), context: Scenario.context)
        phone.deviceID = response.deviceId
        return (phone, response)
    }

    static func device(_ s: Scenario, _ phone: TestWebPhone) async throws -> Device {
        try #require(try await s.t.storage.device(id: phone.deviceID))
    }

    /// Activates, registers the passkey and approves the confirming push (counter 1).
    static func addWebPhone(_ s: Scenario) async throws -> TestWebPhone {
        let (phone, response) = try await activate(s)
        let options = try #require(response.approvalPasskey)
        try await WebAuthenticatorService(env: s.t.env).registerApprovalPasskey(for: try await device(s, phone), phone.registration(options),
                                                                               publicURL: publicURL)
        let offer = try #require(try await s.devices.pending(for: try await device(s, phone)).first)
        let number = try #require(try await s.t.storage.challenge(id: offer.id)?.number)
        let verdict = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number, counter: 1, rpID: rpID))
        #expect(verdict.state == .approved)
        return phone
    }

    @Test("A web phone activates without an approval key, registers its passkey, is confirmed and approves an MFA push with an assertion")
    func wholeLife() async throws {
        let s = try await Self.scenario()
        let (phone, response) = try await Self.activate(s)
        let options = try #require(response.approvalPasskey)
        #expect(options.rpId == Self.rpID)
        #expect(options.userHandle == Base64URL.encode(Array(phone.deviceID.utf8)), "the device's own handle, never the user's")
        #expect(Base64URL.decode(options.challenge)?.count == 32)
        #expect(options.userName == "alice@contoso.com" && options.timeoutMs == 300_000)
        let stored = try await Self.device(s, phone)
        #expect(stored.platform == .web && stored.approvalKey.isEmpty && stored.state == .unconfirmed)

        // Before the passkey exists, the confirming push cannot be approved.
        let offer = try #require(try await s.devices.pending(for: stored).first)
        let number = try #require(try await s.t.storage.challenge(id: offer.id)?.number)
        let early = try phone.answer(offer, .approve, number: number, counter: 1, rpID: Self.rpID)
        let refusal = await #expect(throws: TandemError.self) { try await s.challenges.answer(challengeID: offer.id, early) }
        #expect(refusal?.code == .forbidden && refusal?.wireCode == "passkeyRequired")

        try await WebAuthenticatorService(env: s.t.env).registerApprovalPasskey(for: stored, phone.registration(options), publicURL: Self.publicURL)
        #expect(try await Self.device(s, phone).approvalPasskey?.credentialID == Base64URL.encode(phone.credentialID))
        #expect(try await s.challenges.answer(challengeID: offer.id, early).state == .approved)
        let active = try await Self.device(s, phone)
        #expect(active.state == .active && active.approvalPasskey?.signCount == 1)

        let token = try await s.startMFA()
        let (mfa, shown) = try await s.offer(for: token, phone: TestPhone.with(deviceID: phone.deviceID))
        #expect(try await s.challenges.answer(challengeID: mfa.id, phone.answer(mfa, .approve, number: shown, counter: 2, rpID: Self.rpID)).state == .approved)
        #expect(try await Self.device(s, phone).approvalPasskey?.signCount == 2)
        let (_, session) = try await s.signIn.complete(token: token)
        #expect(session.userID == s.user.id)
    }

    @Test("Deny and report need only the device key; approve without an assertion or with UV off is refused and changes nothing")
    func denyAndMissingAssertion() async throws {
        let s = try await Self.scenario()
        let phone = try await Self.addWebPhone(s)
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: TestPhone.with(deviceID: phone.deviceID))
        var bare = try phone.answer(offer, .approve, number: number, counter: 2, rpID: Self.rpID)
        bare.assertion = nil
        let missing = await #expect(throws: TandemError.self) { try await s.challenges.answer(challengeID: offer.id, bare) }
        #expect(missing?.code == .unauthorized && missing?.wireCode == "assertionRequired")
        let noUV = try phone.answer(offer, .approve, number: number, counter: 2, rpID: Self.rpID, flags: TestWebPhone.userPresent)
        let uv = await #expect(throws: TandemError.self) { try await s.challenges.answer(challengeID: offer.id, noUV) }
        #expect(uv?.code == .unauthorized && uv?.message.contains("user verification") == true)
        #expect(try await s.t.storage.challenge(id: offer.id)?.state == .pending)
        #expect(try await Self.device(s, phone).approvalPasskey?.signCount == 1)
        let deny = try phone.answer(offer, .deny, counter: 0, rpID: Self.rpID)
        #expect(deny.assertion == nil)
        #expect(try await s.challenges.answer(challengeID: offer.id, deny).state == .denied)
    }

    @Test("Activation of a web phone refuses an approval key, an unknown platform; an app still needs its approval key")
    func activationRefusals() async throws {
        let s = try await Self.scenario()
        let phone = TestWebPhone(origin: Self.publicURL)
        let other = TestPhone()
        var withKey = phone.activation(code: "X")
        withKey.approvalKey = DeviceSignature.encode(other.approvalKey.publicKey)
        var unknown = phone.activation(code: "X")
        unknown.platform = "ios"
        var app = other.activation(code: "X")
        app.approvalKey = nil
        for (request, message) in [(withKey, "no approvalKey"), (unknown, "platform must be"), (app, "Missing field approvalKey")] {
            let (_, code, _) = try await s.registration.createActivation(for: s.user)
            var request = request
            request.code = code
            let error = await #expect(throws: TandemError.self) { try await s.registration.activate(request, context: Scenario.context) }
            #expect(error?.code == .badRequest && error?.message.contains(message) == true, "\(message)")
        }
    }

    enum BadRegistration: String, CaseIterable, CustomTestStringConvertible {
        case userVerificationOff, anotherOrigin, anotherRPID, wrongType, anotherChallenge, mismatchedCredentialID, expired
        var testDescription: String { rawValue }
    }

    @Test("The approval passkey's registration refuses each bad part and keeps the challenge for a good one", arguments: BadRegistration.allCases)
    func registrationRefusals(bad: BadRegistration) async throws {
        let s = try await Self.scenario()
        let (phone, response) = try await Self.activate(s)
        let options = try #require(response.approvalPasskey)
        var request: ApprovalPasskeyRequest
        var expected: TandemError.Code = .badRequest
        switch bad {
        case .userVerificationOff: request = phone.registration(options, flags: TestWebPhone.userPresent)
        case .anotherOrigin: request = phone.registration(options, origin: "http://localhost:9999")
        case .anotherRPID: request = phone.registration(options, rpID: "evil.test")
        case .wrongType: request = phone.registration(options, type: "webauthn.get")
        case .anotherChallenge:
            var other = options
            other.challenge = Base64URL.encode([UInt8](repeating: 7, count: 32))
            request = phone.registration(other)
            expected = .unauthorized
        case .mismatchedCredentialID:
            request = phone.registration(options)
            request.credentialId = Base64URL.encode([1, 2, 3])
        case .expired:
            request = phone.registration(options)
            s.t.clock.advance(by: 601)
            expected = .unauthorized
        }
        let service = WebAuthenticatorService(env: s.t.env)
        let device = try await Self.device(s, phone)
        let error = await #expect(throws: TandemError.self) { try await service.registerApprovalPasskey(for: device, request, publicURL: Self.publicURL) }
        #expect(error?.code == expected)
        #expect(try await Self.device(s, phone).approvalPasskey == nil)
        if bad != .expired {
            try await service.registerApprovalPasskey(for: device, phone.registration(options), publicURL: Self.publicURL)
            #expect(try await Self.device(s, phone).approvalPasskey != nil, "a refused attempt does not spend the challenge")
        }
    }

    @Test("The approval passkey registers once per device, never twice for one credential, and not for an app")
    func registrationOnce() async throws {
        let s = try await Self.scenario()
        let (phone, response) = try await Self.activate(s)
        let options = try #require(response.approvalPasskey)
        let service = WebAuthenticatorService(env: s.t.env)
        try await service.registerApprovalPasskey(for: try await Self.device(s, phone), phone.registration(options), publicURL: Self.publicURL)
        let again = await #expect(throws: TandemError.self) {
            try await service.registerApprovalPasskey(for: try await Self.device(s, phone), phone.registration(options), publicURL: Self.publicURL)
        }
        #expect(again?.code == .conflict)
        // A second web phone presenting the first one's credential.
        let (second, secondResponse) = try await Self.activate(s, name: "Second")
        var copy = TestWebPhone(origin: Self.publicURL)
        copy.deviceID = second.deviceID
        let stolen = phone.registration(try #require(secondResponse.approvalPasskey))
        let taken = await #expect(throws: TandemError.self) {
            try await service.registerApprovalPasskey(for: try await Self.device(s, second), stolen, publicURL: Self.publicURL)
        }
        #expect(taken?.code == .conflict)
        // An app device.
        let app = try await s.addPhone()
        let forApp = await #expect(throws: TandemError.self) {
            try await service.registerApprovalPasskey(for: try #require(try await s.t.storage.device(id: app.deviceID)), phone.registration(options),
                                                      publicURL: Self.publicURL)
        }
        #expect(forApp?.code == .badRequest)
    }

    @Test("Racing approvals of one request with different counters: one wins and only its counter is stored")
    func approvalRace() async throws {
        let s = try await Self.scenario()
        let phone = try await Self.addWebPhone(s)
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: TestPhone.with(deviceID: phone.deviceID))
        let answers = try (UInt32(2)...11).map { try phone.answer(offer, .approve, number: number, counter: $0, rpID: Self.rpID) }
        let winners = await withTaskGroup(of: Int64?.self) { group in
            for (i, answer) in answers.enumerated() {
                group.addTask { (try? await s.challenges.answer(challengeID: offer.id, answer)).map { _ in Int64(i + 2) } }
            }
            return await group.reduce(into: [Int64]()) { if let won = $1 { $0.append(won) } }
        }
        #expect(winners.count == 1)
        #expect(try await Self.device(s, phone).approvalPasskey?.signCount == winners.first)
    }

    @Test("Phone sign-in on a web phone: an assertion over the key-change bytes with the device key; then a passwordless approval with an assertion")
    func phoneSignIn() async throws {
        let s = try await Self.scenario()
        let phone = try await Self.addWebPhone(s)
        let service = WebAuthenticatorService(env: s.t.env)
        var nonce = try await s.devices.issueKeyChangeNonce(for: try await Self.device(s, phone)).nonce
        // UV off, then a counter that did not grow: refused, the nonce still works.
        for bad in [try phone.phoneSignInRequest(nonce: nonce, counter: 2, rpID: Self.rpID, flags: TestWebPhone.userPresent),
                    try phone.phoneSignInRequest(nonce: nonce, counter: 1, rpID: Self.rpID)] {
            await #expect(throws: TandemError.self) { try await service.enablePhoneSignIn(for: try await Self.device(s, phone), bad, publicURL: Self.publicURL) }
        }
        #expect(try await Self.device(s, phone).phoneSignInKey == nil)
        try await service.enablePhoneSignIn(for: try await Self.device(s, phone), phone.phoneSignInRequest(nonce: nonce, counter: 2, rpID: Self.rpID),
                                            publicURL: Self.publicURL)
        let on = try await Self.device(s, phone)
        #expect(on.phoneSignInKey == phone.deviceKeyText && on.approvalPasskey?.signCount == 2)
        // The nonce is spent.
        let replay = await #expect(throws: TandemError.self) {
            try await service.enablePhoneSignIn(for: on, phone.phoneSignInRequest(nonce: nonce, counter: 3, rpID: Self.rpID), publicURL: Self.publicURL)
        }
        #expect(replay?.code == .unauthorized)
        #expect(try await Self.device(s, phone).approvalPasskey?.signCount == 2, "a refused change stores no counter")
        nonce = ""
        _ = nonce

        try await s.t.storage.setLastSignInMethod(userID: s.user.id, method: SignInService.LastMethod.passwordless)
        let (token, flow) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(flow.stage == .push)
        let (offer, number) = try await s.offer(for: token, phone: TestPhone.with(deviceID: phone.deviceID))
        #expect(offer.kind == .passwordless)
        var bare = try phone.answer(offer, .approve, number: number, counter: 3, rpID: Self.rpID)
        bare.assertion = nil
        await #expect(throws: TandemError.self) { try await s.challenges.answer(challengeID: offer.id, bare) }
        #expect(try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number, counter: 3, rpID: Self.rpID)).state
                == .approved)
        let (_, session) = try await s.signIn.complete(token: token)
        #expect(!session.methods.contains("pwd"))
    }
}

extension TestPhone {
    /// A CLI phone value that only carries a device id (for `Scenario.offer`, which reads the device's pending list).
    static func with(deviceID: String) -> TestPhone {
        var phone = TestPhone()
        phone.deviceID = deviceID
        return phone
    }
}
