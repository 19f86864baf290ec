import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemServer
import TandemServices
import TandemTesting
import Testing

/// CIBA (OpenID Connect CIBA Core 1.0) over the push: the acknowledgement, the binding message on
/// the phone, the number, and the token endpoint's pending / slow_down / expired / denied answers.
@Suite struct OIDCCIBATests {
    /// A user with an active authenticator played by a `TestPhone`.
    static func userWithPhone(_ h: OIDCHarness, _ upn: String = "carol@contoso.com") async throws -> (User, TestPhone) {
        let user = try await DirectoryService(env: h.env).addUser(userPrincipalName: upn, displayName: "Carol", password: "correct horse")
        var phone = TestPhone()
        phone.deviceID = SystemRandomSource().identifier()
        try await h.store.insertDevice(Device(id: phone.deviceID, userID: user.id, name: "Phone", appVersion: "test",
                                              deviceKey: DeviceSignature.encode(phone.deviceKey.publicKey),
                                              approvalKey: DeviceSignature.encode(phone.approvalKey.publicKey),
                                              state: .active, createdAt: h.clock.now()))
        return (user, phone)
    }

    static func cibaClient(_ h: OIDCHarness, mode: OIDCClient.DeliveryMode = .poll) async throws -> (OIDCClient, (String, String)) {
        let (client, secret) = try await h.register(OIDCClientDraft(
            displayName: "Call centre", grantTypes: [.ciba], deliveryMode: mode,
            notificationEndpoint: mode == .ping ? "https://callcentre.example.com/ciba" : nil))
        return (client, (client.clientID, secret ?? ""))
    }

    /// The phone answers the user's pending request.
    static func answer(_ h: OIDCHarness, _ user: User, _ phone: TestPhone, _ decision: AnswerDecision, number: String?) async throws -> ChallengeOffer {
        let challenge = try #require(try await h.store.pendingChallenges(userID: user.id).last)
        let offer = ChallengeService.offer(for: challenge, user: user)
        let body = try JSONEncoder().encode(try phone.answer(offer, decision, number: number))
        let response = try await h.client.execute(uri: "/device/v1/challenges/\(offer.id)/answer", method: .post,
                                                  headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
        #expect(response.status == .ok, "\(response.text)")
        return offer
    }

    static func poll(_ h: OIDCHarness, _ basic: (String, String), _ authReqID: String) async throws -> TestResponse {
        try await h.post("/oauth2/token", ["grant_type": "urn:openid:params:grant-type:ciba", "auth_req_id": authReqID], basic: basic)
    }

    @Test func aPollModeClientGetsTokensAfterTheApprovalWithTheNumber() async throws {
        try await OIDCHarness.run { h in
            let (user, phone) = try await Self.userWithPhone(h)
            let (_, basic) = try await Self.cibaClient(h)
            let started = try await h.post("/oauth2/bc-authorize", ["scope": "openid profile", "login_hint": user.userPrincipalName,
                                                                     "binding_message": "Order W-4471", "requested_expiry": "120"], basic: basic)
            #expect(started.status == .ok, "\(started.text)")
            let ack = try OIDCHarness.json(started)
            let authReqID = try #require(ack["auth_req_id"] as? String)
            let number = try #require(ack["tandem_number"] as? String)
            #expect(ack["expires_in"] as? Int == 120)
            #expect(ack["interval"] as? Int == 5)

            #expect(OIDCHarness.error(try await Self.poll(h, basic, authReqID)) == "authorization_pending")
            #expect(OIDCHarness.error(try await Self.poll(h, basic, authReqID)) == "slow_down")
            h.clock.advance(by: 11)
            let offer = try await Self.answer(h, user, phone, .approve, number: number)
            #expect(offer.context.bindingMessage == "Order W-4471")
            #expect(offer.context.application == "Call centre")
            #expect(!(try JSONEncoder().encode(offer)).contains(Array(("\"" + number + "\"").utf8)), "the phone is never told the number")
            h.clock.advance(by: 11)
            let tokens = try await Self.poll(h, basic, authReqID)
            #expect(tokens.status == .ok, "\(tokens.text)")
            let id = try OIDCHarness.claims(try #require(try OIDCHarness.json(tokens)["id_token"] as? String))
            #expect(id["sub"] as? String == user.id)
            #expect(Set(id["amr"] as? [String] ?? []) == ["mfa", "pin", "swk"])
            #expect(id["acr"] as? String == OIDCAssurance.passwordless)
            h.clock.advance(by: 11)
            #expect(OIDCHarness.error(try await Self.poll(h, basic, authReqID)) == "invalid_grant")
        }
    }

    @Test(arguments: [AnswerDecision.deny, .report])
    func aRefusalIsAccessDenied(_ decision: AnswerDecision) async throws {
        try await OIDCHarness.run { h in
            let (user, phone) = try await Self.userWithPhone(h)
            let (_, basic) = try await Self.cibaClient(h)
            let ack = try OIDCHarness.json(try await h.post("/oauth2/bc-authorize", ["scope": "openid", "login_hint": user.userPrincipalName], basic: basic))
            _ = try await Self.answer(h, user, phone, decision, number: nil)
            let response = try await Self.poll(h, basic, try #require(ack["auth_req_id"] as? String))
            #expect(response.status == .badRequest)
            #expect(OIDCHarness.error(response) == "access_denied")
        }
    }

    @Test func anUnansweredRequestExpires() async throws {
        try await OIDCHarness.run { h in
            let (user, _) = try await Self.userWithPhone(h)
            let (_, basic) = try await Self.cibaClient(h)
            let ack = try OIDCHarness.json(try await h.post("/oauth2/bc-authorize", ["scope": "openid", "login_hint": user.userPrincipalName,
                                                                                      "requested_expiry": "30"], basic: basic))
            h.clock.advance(by: 31)
            #expect(OIDCHarness.error(try await Self.poll(h, basic, try #require(ack["auth_req_id"] as? String))) == "expired_token")
        }
    }

    @Test func anotherClientsAuthReqIDIsInvalidGrant() async throws {
        try await OIDCHarness.run { h in
            let (user, _) = try await Self.userWithPhone(h)
            let (_, basic) = try await Self.cibaClient(h)
            let (_, other) = try await Self.cibaClient(h)
            let ack = try OIDCHarness.json(try await h.post("/oauth2/bc-authorize", ["scope": "openid", "login_hint": user.userPrincipalName], basic: basic))
            #expect(OIDCHarness.error(try await Self.poll(h, other, try #require(ack["auth_req_id"] as? String))) == "invalid_grant")
        }
    }

    @Test(arguments: [
        (["scope": "profile", "login_hint": "carol@contoso.com"], "invalid_scope", 400),
        (["scope": "openid"], "invalid_request", 400),
        (["scope": "openid", "login_hint": "carol@contoso.com", "login_hint_token": "x"], "invalid_request", 400),
        (["scope": "openid", "login_hint": "nobody@contoso.com"], "unknown_user_id", 400),
        (["scope": "openid", "login_hint": "carol@contoso.com", "binding_message": String(repeating: "x", count: 65)], "invalid_binding_message", 400),
        (["scope": "openid", "login_hint": "carol@contoso.com", "binding_message": "line\nbreak"], "invalid_binding_message", 400),
        (["scope": "openid", "login_hint": "carol@contoso.com", "requested_expiry": "soon"], "invalid_request", 400),
        (["scope": "openid", "login_hint": "alice@contoso.com"], "access_denied", 403),
    ])
    func aBadBackchannelRequestGetsTheCIBAErrorCode(_ form: [String: String], _ expected: String, _ status: Int) async throws {
        try await OIDCHarness.run { h in
            _ = try await Self.userWithPhone(h)
            let (_, basic) = try await Self.cibaClient(h)
            let response = try await h.post("/oauth2/bc-authorize", form, basic: basic)
            #expect(OIDCHarness.error(response) == expected, "\(response.text)")
            #expect(Int(response.status.code) == status)
        }
    }

    @Test func aClientWithoutTheCIBAGrantIsUnauthorizedClient() async throws {
        try await OIDCHarness.run { h in
            let (user, _) = try await Self.userWithPhone(h)
            let (client, secret) = try await h.register()
            let response = try await h.post("/oauth2/bc-authorize", ["scope": "openid", "login_hint": user.userPrincipalName],
                                            basic: (client.clientID, secret ?? ""))
            #expect(OIDCHarness.error(response) == "unauthorized_client")
            let wrong = try await h.post("/oauth2/bc-authorize", ["scope": "openid", "login_hint": user.userPrincipalName],
                                         basic: (client.clientID, "wrong"))
            #expect(wrong.status == .unauthorized)
            #expect(OIDCHarness.error(wrong) == "invalid_client")
        }
    }

    @Test func aPingModeClientMustSendItsNotificationToken() async throws {
        try await OIDCHarness.run { h in
            let (user, _) = try await Self.userWithPhone(h)
            let (_, basic) = try await Self.cibaClient(h, mode: .ping)
            let response = try await h.post("/oauth2/bc-authorize", ["scope": "openid", "login_hint": user.userPrincipalName], basic: basic)
            #expect(OIDCHarness.error(response) == "invalid_request")
        }
    }
}
