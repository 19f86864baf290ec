import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// A sealer for the twins: the text is the context and the plaintext, base64url; it opens only
/// with the same context (the server uses the AES-GCM `OIDCSecretBox`).
struct TestRadiusSealer: RadiusSealer {
    func seal(_ plaintext: [UInt8], context: String) throws -> String { Base64URL.encode(Array(context.utf8) + [0] + plaintext) }
    func open(_ text: String, context: String) -> [UInt8]? {
        guard let bytes = Base64URL.decode(text), let zero = bytes.firstIndex(of: 0), Array(bytes[..<zero]) == Array(context.utf8) else { return nil }
        return Array(bytes[(zero + 1)...])
    }
}

/// The RADIUS sign-in over `SignInService`: the same push defences as the web (they apply
/// because the pushes go through the same service), fail-closed MFA, the code path, and the
/// client's and user's throttles.
@Suite("RADIUS sign-in")
struct RadiusSignInServiceTests {
    static let secret = Array("shared-secret-for-the-tests-0123".utf8)
    static let client = RadiusClient(id: "c1", displayName: "VPN", address: "192.0.2.1/32", sealedSecret: "-", createdAt: Date(timeIntervalSince1970: 0))

    static func request(password: String, state: [UInt8]? = nil, id: UInt8 = 1, user: String = "alice@contoso.com") -> RadiusPacket {
        let authenticator = (0..<16).map { UInt8(truncatingIfNeeded: Int(id) * 31 + $0) }
        var attributes: [RadiusAttribute] = [.text(.userName, user),
                                             RadiusAttribute(.userPassword, RadiusPacket.hidePassword(Array(password.utf8), secret: secret, requestAuthenticator: authenticator)),
                                             .text(.callingStationID, "198.51.100.9")]
        if let state { attributes.append(RadiusAttribute(.state, state)) }
        return RadiusPacket(code: .accessRequest, identifier: id, authenticator: authenticator, attributes: attributes).signedRequest(secret: secret)
    }

    static func service(_ s: Scenario) -> RadiusSignInService {
        RadiusSignInService(env: s.t.env, sealer: TestRadiusSealer(), wait: 0)
    }

    static func send(_ radius: RadiusSignInService, password: String, state: [UInt8]? = nil) async -> RadiusSignInService.Reply {
        await radius.handle(request(password: password, state: state), from: client, secret: secret, sourceAddress: "192.0.2.1")
    }

    @Test("Password, challenge with the number, Accept after the approval; the sign-in log names the client")
    func accept() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let radius = Self.service(s)
        let challenge = await Self.send(radius, password: "correct horse")
        #expect(challenge.code == .accessChallenge)
        let state = try #require(challenge.state)
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        let offer = try #require(try await s.devices.pending(for: device).first)
        #expect(offer.context.application == "VPN")
        let number = try #require(try await s.t.storage.challenge(id: offer.id)?.number)
        #expect(challenge.message == "Open your Authenticator app and enter \(number), then press Enter here.")
        #expect(await Self.send(radius, password: "", state: state).code == .accessChallenge, "still waiting")
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        #expect(await Self.send(radius, password: "", state: state).code == .accessAccept)
        #expect(await Self.send(radius, password: "", state: state).code == .accessReject, "the State is spent")
        let record = try #require(try await s.t.storage.signIns(limit: 5, before: nil).first)
        #expect(record.appDisplayName == "VPN" && record.ipAddress == "198.51.100.9" && record.errorCode == 0)
        // Decision 0032: the log's appId is the client's id in the RADIUS client store, not Tandem's.
        #expect(record.appID == Self.client.id && record.graphAppID == Self.client.id)
    }

    @Test("A client's user name suffix turns a local login name into the principal name; a name with @ is left as sent")
    func userNameSuffix() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let radius = Self.service(s)
        var jump = Self.client
        jump.userNameSuffix = "@contoso.com"
        let challenge = await radius.handle(Self.request(password: "correct horse", user: "alice"), from: jump, secret: Self.secret, sourceAddress: "192.0.2.1")
        #expect(challenge.code == .accessChallenge, "\(challenge.message ?? "")")
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        #expect(try await s.devices.pending(for: device).count == 1)
        // Without the suffix the local name is nobody; with a name of another domain the suffix is not added.
        #expect(await radius.handle(Self.request(password: "correct horse", id: 2, user: "alice"), from: Self.client, secret: Self.secret,
                                    sourceAddress: "192.0.2.1").code == .accessReject)
        #expect(await radius.handle(Self.request(password: "correct horse", id: 3, user: "alice@fabrikam.com"), from: jump, secret: Self.secret,
                                    sourceAddress: "192.0.2.1").code == .accessReject)
        #expect(jump.principalName("alice@fabrikam.com") == "alice@fabrikam.com" && jump.principalName("bob") == "bob@contoso.com")
    }

    @Test("A user name suffix must be @ and a domain name", arguments: ["contoso.com", "@", "@con toso.com", "@contoso..com", "@.contoso.com",
                                                                        "@contoso.com.", "@cöntoso.com", "@" + String(repeating: "a", count: 128)])
    func badSuffixes(_ suffix: String) async throws {
        let s = try await Scenario()
        let registry = RadiusClientRegistry(env: s.t.env, sealer: TestRadiusSealer())
        await #expect(throws: TandemError.self) { _ = try await registry.register(name: "Jump host", address: "192.0.2.7", userNameSuffix: suffix, by: nil) }
        #expect(try await s.t.storage.radiusClients().isEmpty)
        let (client, _) = try await registry.register(name: "Jump host", address: "192.0.2.7", userNameSuffix: " @Contoso.com ", by: nil)
        #expect(client.userNameSuffix == "@contoso.com")
        #expect(try await s.t.storage.audits(limit: 10, before: nil).contains { $0.property == "userNameSuffix" && $0.newValue == "@contoso.com" })
    }

    @Test("A State sealed for another client does not open")
    func stateOfAnotherClient() async throws {
        let s = try await Scenario()
        _ = try await s.addPhone()
        let radius = Self.service(s)
        let state = try #require(await Self.send(radius, password: "correct horse").state)
        var other = Self.client
        other.id = "c2"
        let reply = await radius.handle(Self.request(password: "", state: state, id: 2), from: other, secret: Self.secret, sourceAddress: "192.0.2.1")
        #expect(reply.code == .accessReject)
    }

    @Test("The web's push defences apply: after the free pushes, RADIUS attempts are refused without a push")
    func pushBombing() async throws {
        let s = try await Scenario()
        _ = try await s.addPhone()
        try await PushProtectionService(env: s.t.env).saveSettings(PushProtectionSettings(maxPendingPerUser: 3, freePushes: 3, baseDelaySeconds: 30, maxDelaySeconds: 3600), by: nil)
        let radius = Self.service(s)
        let before = s.t.push.deliveries.count
        var challenges = 0
        for _ in 0..<20 where await Self.send(radius, password: "correct horse").code == .accessChallenge { challenges += 1 }
        #expect(challenges <= 3)
        #expect(s.t.push.deliveries.count - before == challenges, "\(s.t.push.deliveries.count - before) pushes")
    }

    @Test("\"No, it's not me\" on the phone rejects, and later RADIUS sign-ins of the user are refused")
    func reported() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let radius = Self.service(s)
        let state = try #require(await Self.send(radius, password: "correct horse").state)
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        let offer = try #require(try await s.devices.pending(for: device).first)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .report))
        let reply = await Self.send(radius, password: "", state: state)
        #expect(reply.code == .accessReject && reply.message == "The request was reported in the Authenticator app.")
        let again = await Self.send(radius, password: "correct horse")
        #expect(again.code == .accessReject)
    }

    @Test("MFA required and no second factor: Reject, never Accept (fail closed)")
    func failClosed() async throws {
        let s = try await Scenario()
        var user = s.user
        user.mfaState = .enforced
        try await s.t.storage.updateUser(user)
        let reply = await Self.send(Self.service(s), password: "correct horse")
        #expect(reply.code == .accessReject)
    }

    @Test("A user who prefers the code gets a challenge for it; a right code accepts, a wrong one rejects")
    func code() async throws {
        let (s, _, totp) = try await VerificationCodeServiceTests.scenario()
        var user = try #require(try await s.t.storage.user(id: s.user.id))
        user.preferredMethod = "oath"
        try await s.t.storage.updateUser(user)
        let radius = Self.service(s)
        let challenge = await Self.send(radius, password: "correct horse")
        #expect(challenge.code == .accessChallenge && challenge.message == "Enter the code from your Authenticator app.")
        let right = totp.code(at: s.t.clock.now())
        let wrong = right == "000000" ? "111111" : "000000"
        #expect(await Self.send(radius, password: wrong, state: challenge.state).code == .accessReject)
        let second = await Self.send(radius, password: "correct horse")
        let accepted = await Self.send(radius, password: right, state: second.state)
        #expect(accepted.code == .accessAccept, "\(second) then \(accepted)")
    }
}
