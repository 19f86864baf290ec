import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemServer
import TandemServices
import Testing

/// Issue 10, finding 8 (and the sealed admin key of finding 13), from the attacker's side: what an
/// attacker holds — a browser session, a refresh token, a remembered-MFA cookie, an admin token,
/// a copy of the old admin key — stops working after a report, an administrator's password reset
/// or `revokeSignInSessions`.
@Suite struct GraphSessionRevocationTests {
    /// What the attacker took from alice: her signed-in browser, a refresh token of an application,
    /// and a remembered-MFA cookie.
    struct Loot {
        var browser: Browser
        var refresh: String
        var client: OIDCClient
        var secret: String?
        var remember: String
    }

    static func loot(_ h: OIDCHarness) async throws -> Loot {
        let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
        let (client, secret) = try await h.register()
        let browser = try await h.signedInBrowser()
        let body = try OIDCHarness.json(try await h.exchange(try await h.code(for: client, challenge: nil, browser: browser), verifier: nil,
                                                             client: client, secret: secret))
        let remember = SystemRandomSource().identifier(byteCount: 32)
        try await h.store.insertRememberedBrowser(id: SecretDigest.of(remember), userID: alice.id, expiresAt: h.clock.now().addingTimeInterval(30 * 86_400))
        // Alice has an authenticator and the policy covers her now, so only the remembered cookie
        // lets a password skip the push.
        var policy = try await PolicyService(env: h.env).authenticatorPolicy()
        policy.excludeTargets = []
        try await PolicyService(env: h.env).save(policy, by: nil)
        let key = Base64URL.encode(P256.Signing.PrivateKey().publicKey.x963Representation)
        try await h.store.insertDevice(Device(id: UUID().uuidString, userID: alice.id, name: "Phone", appVersion: "1", deviceKey: key,
                                              approvalKey: key, state: .active, createdAt: h.clock.now()))
        return Loot(browser: browser, refresh: try #require(body["refresh_token"] as? String), client: client, secret: secret, remember: remember)
    }

    /// Whether the stolen session still signs in silently (`prompt=none` gives a code).
    static func sessionWorks(_ h: OIDCHarness, _ loot: Loot) async throws -> Bool {
        var params = h.codeParameters(loot.client, challenge: nil)
        params["prompt"] = "none"
        let location = try await h.authorize(loot.browser, params).headers[.location] ?? ""
        return OIDCHarness.queryItem("code", in: location) != nil
    }

    static func refreshWorks(_ h: OIDCHarness, _ loot: Loot) async throws -> Bool {
        let response = try await h.post("/oauth2/token", ["grant_type": "refresh_token", "refresh_token": loot.refresh],
                                        basic: loot.secret.map { (loot.client.clientID, $0) })
        return response.status == .ok
    }

    /// Whether a password sign-in with the remembered cookie skips the push.
    static func rememberedSkipsMFA(_ h: OIDCHarness, _ loot: Loot, password: String) async throws -> Bool {
        func location(remembered: Bool) async throws -> String? {
            let browser = Browser(h.client)
            if remembered { browser.cookies["tandem_mfa_remember"] = loot.remember }
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            return try await browser.request("/login/password", method: .post, form: ["password": password]).headers[.location]
        }
        let without = try await location(remembered: false)
        #expect(without != "/login/complete", "without the cookie the password alone signed in: \(without ?? "-")")
        return try await location(remembered: true) == "/login/complete"
    }

    static func graph(_ h: OIDCHarness) -> GraphClient { GraphClient(h.store, h.client, secretKey: h.secretKey) }

    @Test func aReportEndsTheSessionsRefreshTokensAndRememberedBrowsers() async throws {
        try await OIDCHarness.run { h in
            let loot = try await Self.loot(h)
            #expect(try await Self.sessionWorks(h, loot))
            #expect(try await Self.refreshWorks(h, loot))
            let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
            let now = h.clock.now()
            let challenge = Challenge(id: UUID().uuidString, userID: alice.id, kind: .mfa, number: "42", nonce: "n",
                                      context: ChallengeContext(application: "Tandem", ipAddress: "203.0.113.9", location: "Far away", browser: "Edge"),
                                      createdAt: now, expiresAt: now.addingTimeInterval(120), state: .reported)
            try await ReportService(env: h.env).handle(challenge)
            #expect(try await !Self.sessionWorks(h, loot))
            #expect(try await !Self.refreshWorks(h, loot))
            // The push is blocked after a report, so the cookie is checked where it lives.
            #expect(try await h.store.rememberedBrowser(id: SecretDigest.of(loot.remember), now: h.clock.now()) == nil)
        }
    }

    @Test func anAdministratorsPasswordResetEndsTheOldSessionsRefreshTokensAndRememberedBrowsers() async throws {
        try await OIDCHarness.run { h in
            let loot = try await Self.loot(h)
            #expect(try await Self.rememberedSkipsMFA(h, loot, password: "correct horse"))
            let graph = Self.graph(h)
            let helpdesk = try await graph.token(for: "helpdesk@contoso.com", role: .authenticationAdministrator)
            let reset = try await graph.call(.patch, "/v1.0/users/alice@contoso.com", token: helpdesk,
                                             body: #"{"passwordProfile": {"password": "a new password 123"}}"#)
            #expect(reset.status == .noContent, "\(reset.text)")
            #expect(try await !Self.sessionWorks(h, loot))
            #expect(try await !Self.refreshWorks(h, loot))
            #expect(try await !Self.rememberedSkipsMFA(h, loot, password: "a new password 123"))
        }
    }

    @Test func revokeSignInSessionsAnswersAsGraphDoesAndEndsEverything() async throws {
        try await OIDCHarness.run { h in
            let loot = try await Self.loot(h)
            let graph = Self.graph(h)
            let helpdesk = try await graph.token(for: "helpdesk@contoso.com", role: .authenticationAdministrator)
            let response = try await graph.call(.post, "/v1.0/users/alice@contoso.com/revokeSignInSessions", token: helpdesk)
            #expect(response.status == .ok, "\(response.text)")
            let body = try OIDCHarness.json(response)
            #expect(body["value"] as? Bool == true)
            #expect((body["@odata.context"] as? String)?.hasSuffix("/v1.0/$metadata#Edm.Boolean") == true)
            #expect(try await !Self.sessionWorks(h, loot))
            #expect(try await !Self.refreshWorks(h, loot))
            #expect(try await !Self.rememberedSkipsMFA(h, loot, password: "correct horse"))
            let audit = try #require(try await h.store.audits(limit: 20, before: nil).first { $0.activity == "Revoke sign-in sessions" })
            #expect(audit.initiatedByName == "helpdesk@contoso.com" && audit.newValue == "administratorRevoked")
        }
    }

    @Test func revokingAnAdministratorsSessionsKillsHisAdminTokensAndNeedsThePrivilegedRole() async throws {
        try await OIDCHarness.run { h in
            let graph = Self.graph(h)
            let boss = try await graph.token(for: "boss@contoso.com", role: .globalAdministrator)
            #expect(try await graph.call(.get, "/v1.0/users", token: boss).status == .ok)
            let helpdesk = try await graph.token(for: "helpdesk@contoso.com", role: .authenticationAdministrator)
            #expect(try await graph.call(.post, "/v1.0/users/boss@contoso.com/revokeSignInSessions", token: helpdesk).status == .forbidden)
            #expect(try await graph.call(.get, "/v1.0/users", token: boss).status == .ok)
            let privileged = try await graph.token(for: "pam@contoso.com", role: .privilegedAuthenticationAdministrator)
            // The tokens carry the real time, the revocation the harness clock (started when the
            // harness did): an hour ahead, so a slow run cannot put the boss's token after it.
            h.clock.advance(by: 3600)
            #expect(try await graph.call(.post, "/v1.0/users/boss@contoso.com/revokeSignInSessions", token: privileged).status == .ok)
            #expect(try await graph.call(.get, "/v1.0/users", token: boss).status == .unauthorized)
        }
    }

    @Test func theAdminSigningKeyIsSealedAndAnUnsealedCopyNoLongerSigns() async throws {
        try await OIDCHarness.run { h in
            // A key stored unsealed by the old version, and a token an attacker signs with its copy.
            let legacy = P256.Signing.PrivateKey()
            try await h.store.insertSigningKey(StoredSigningKey(kid: "legacy-admin-key", purpose: "admin",
                                                                privateKey: Base64URL.encode(legacy.rawRepresentation), createdAt: h.clock.now()))
            let graph = Self.graph(h)
            _ = try await graph.token(for: "boss@contoso.com", role: .globalAdministrator)
            let boss = try #require(try await h.store.user(principalName: "boss@contoso.com"))
            let forged = try Self.adminToken(signedBy: legacy, kid: "legacy-admin-key", subject: boss.id)
            #expect(try await graph.call(.get, "/v1.0/users", token: forged).status == .unauthorized)
            let stored = try await h.store.signingKeys(purpose: "admin")
            #expect(!stored.isEmpty && stored.allSatisfy { $0.privateKey.hasPrefix("v1.") }, "\(stored.map(\.kid))")
            #expect(!stored.contains { $0.kid == "legacy-admin-key" })
            for key in stored { #expect(!key.privateKey.contains(Base64URL.encode(legacy.rawRepresentation))) }
            // The OIDC keys and the admin key are sealed the same way, in one table.
            let oidcKeys = try await h.store.signingKeys(purpose: "oidc")
            #expect(oidcKeys.allSatisfy { $0.privateKey.hasPrefix("v1.") })
            // The new key signs the tokens `tandem admin token` gives.
            #expect(try await graph.call(.get, "/v1.0/users", token: try await graph.token(for: "boss@contoso.com", role: nil)).status == .ok)
        }
    }

    /// An ES256 admin token as the old version's key would have signed it.
    static func adminToken(signedBy key: P256.Signing.PrivateKey, kid: String, subject: String) throws -> String {
        let now = Int(Date().timeIntervalSince1970)
        let header = #"{"alg":"ES256","kid":"\#(kid)","typ":"JWT"}"#
        let payload = #"{"aud":["tandem-admin"],"exp":\#(now + 600),"iat":\#(now),"iss":"tandem","jti":"forged","sub":"\#(subject)"}"#
        let input = Base64URL.encode(Array(header.utf8)) + "." + Base64URL.encode(Array(payload.utf8))
        let signature = try key.signature(for: Data(input.utf8))
        return input + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }
}
