import Foundation
import HTTPTypes
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import Testing

/// Issue 10, findings 3 and 13 (OIDC parts), from the attacker's side: applications that ask for
/// the admin scope, a client introspecting another's token, a stolen code presented without the
/// verifier, and `acr_values`.
@Suite struct OIDCHardeningTests {
    static func adminCall(_ h: OIDCHarness, _ token: String) async throws -> TestResponse {
        try await h.client.execute(uri: "/v1.0/users", method: .get, headers: [.authorization: "Bearer \(token)"])
    }

    static func makeAliceGlobalAdministrator(_ h: OIDCHarness) async throws {
        let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
        _ = try await h.store.assignRole(DirectoryRole.globalAdministrator.rawValue, userID: alice.id)
    }

    @Test(arguments: ["public", "confidential"])
    func anApplicationNotEnabledForTheAdminScopeDoesNotGetIt(_ kind: String) async throws {
        try await OIDCHarness.run { h in
            try await Self.makeAliceGlobalAdministrator(h)
            let draft = OIDCClientDraft(displayName: "Sneaky \(kind)", authMethod: kind == "public" ? .none : .clientSecretBasic, redirectURIs: [h.redirect])
            let (client, secret) = try await h.register(draft)
            let (verifier, challenge) = OIDCHarness.pkce()
            // No consent page: the scope is simply not granted.
            let code = try await h.code(for: client, challenge: challenge, scope: "openid offline_access tandem-admin")
            let response = try await h.exchange(code, verifier: verifier, client: client, secret: secret)
            let body = try OIDCHarness.json(response)
            #expect(response.status == .ok, "\(response.text)")
            let scope = try #require(body["scope"] as? String)
            #expect(!scope.split(separator: " ").contains("tandem-admin"), "granted: \(scope)")
            let access = try #require(body["access_token"] as? String)
            #expect(!(try OIDCHarness.claims(access)["aud"] as? [String] ?? []).contains("tandem-admin"))
            #expect(try await Self.adminCall(h, access).status == .unauthorized)
            // Nor through a refresh, which can only narrow.
            let refresh = try #require(body["refresh_token"] as? String)
            var form = ["grant_type": "refresh_token", "refresh_token": refresh, "scope": "openid tandem-admin"]
            if client.isPublic { form["client_id"] = client.clientID }
            let widened = try await h.post("/oauth2/token", form, basic: secret.map { (client.clientID, $0) })
            #expect(OIDCHarness.error(widened) == "invalid_scope")
        }
    }

    @Test func aPublicClientCannotBeEnabledForTheAdminScope() async throws {
        try await OIDCHarness.run { h in
            await #expect(throws: TandemError.self) {
                try await h.register(OIDCClientDraft(displayName: "Phone app", authMethod: .none, redirectURIs: [h.redirect], adminScopeEnabled: true))
            }
        }
    }

    @Test func anEnabledApplicationGetsTheAdminScopeOnlyAfterTheUserConsents() async throws {
        try await OIDCHarness.run { h in
            try await Self.makeAliceGlobalAdministrator(h)
            let (client, secret) = try await h.register(OIDCClientDraft(displayName: "Admin console", redirectURIs: [h.redirect], adminScopeEnabled: true))
            let browser = try await h.signedInBrowser()
            let params = h.codeParameters(client, challenge: nil, scope: "openid tandem-admin")
            // The person sees a consent page naming the application and the scope, not a redirect.
            let page = try await h.authorize(browser, params)
            #expect(page.status == .ok)
            #expect(page.text.contains("Admin console") && page.text.contains("tandem-admin"))
            // A forged answer (no CSRF token of the session) is refused.
            let forged = try await browser.request("/oauth2/authorize/consent", method: .post,
                                                   form: ["request": OIDCHarness.hiddenFields(page.text)["request"] ?? "", "decision": "allow"])
            #expect(forged.status == .forbidden)
            // Cancel: the application gets access_denied and no code.
            let denied = try await h.answerConsent(browser, page: page, decision: "deny")
            let deniedAt = try #require(denied.headers[.location])
            #expect(OIDCHarness.queryItem("error", in: deniedAt) == "access_denied" && OIDCHarness.queryItem("code", in: deniedAt) == nil)
            // Allow: the code comes, and its token carries the admin scope and works at /v1.0.
            let again = try await h.authorize(browser, params)
            #expect(again.status == .ok)
            let allowed = try await h.answerConsent(browser, page: again, decision: "allow")
            let allowedAt = try #require(allowed.headers[.location])
            let code = try #require(OIDCHarness.queryItem("code", in: allowedAt))
            let body = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            #expect((body["scope"] as? String)?.split(separator: " ").contains("tandem-admin") == true)
            let access = try #require(body["access_token"] as? String)
            #expect(try await Self.adminCall(h, access).status == .ok)
            // Remembered: the next request goes straight back; prompt=consent asks again.
            #expect(try await h.authorize(browser, params).status == .found)
            var ask = params
            ask["prompt"] = "consent"
            #expect(try await h.authorize(browser, ask).status == .ok)
            // prompt=none without consent is consent_required.
            let other = try await h.register(OIDCClientDraft(displayName: "Second console", redirectURIs: [h.redirect], adminScopeEnabled: true)).0
            var silent = h.codeParameters(other, challenge: nil, scope: "openid tandem-admin")
            silent["prompt"] = "none"
            let silentAt = try #require(try await h.authorize(browser, silent).headers[.location])
            #expect(OIDCHarness.queryItem("error", in: silentAt) == "consent_required")
            // Withdrawing the consent revokes the application's tokens for the user.
            let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
            #expect(try await OIDCConsentService(env: h.env).revoke(clientID: client.clientID, of: alice, by: nil) == 1)
            #expect(try await Self.adminCall(h, access).status == .unauthorized)
            #expect(try await h.authorize(browser, params).status == .ok)
            let audits = try await h.store.audits(limit: 20, before: nil).map(\.activity)
            #expect(audits.contains("Consent to application") && audits.contains("Remove consent from application"))
        }
    }

    @Test func turningTheAdminScopeOffEndsTheApplicationsAdminAccess() async throws {
        try await OIDCHarness.run { h in
            try await Self.makeAliceGlobalAdministrator(h)
            let registry = OIDCClientRegistry(env: h.env)
            let (client, secret) = try await h.register(OIDCClientDraft(displayName: "Admin console", redirectURIs: [h.redirect], adminScopeEnabled: true))
            let code = try await h.consentedCode(for: client, browser: try await h.signedInBrowser())
            let access = try #require(try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))["access_token"] as? String)
            var draft = OIDCClientDraft(client)
            draft.adminScopeEnabled = false
            _ = try await registry.update(client, with: draft, by: nil)
            #expect(try await Self.adminCall(h, access).status == .unauthorized)
            let audits = try await h.store.audits(limit: 20, before: nil).filter { $0.property == "tandemAdminScopeEnabled" }
            #expect(Set(audits.map { "\($0.oldValue ?? "")→\($0.newValue ?? "")" }) == ["false→true", "true→false"])
        }
    }

    @Test func anotherClientLearnsNothingFromIntrospection() async throws {
        try await OIDCHarness.run { h in
            let (owner, ownerSecret) = try await h.register()
            let (snoop, snoopSecret) = try await h.register(OIDCClientDraft(displayName: "Snoop", redirectURIs: [h.redirect]))
            let body = try OIDCHarness.json(try await h.exchange(try await h.code(for: owner, challenge: nil), verifier: nil, client: owner, secret: ownerSecret))
            for token in [try #require(body["access_token"] as? String), try #require(body["refresh_token"] as? String)] {
                let snooped = try OIDCHarness.json(try await h.post("/oauth2/introspect", ["token": token], basic: (snoop.clientID, snoopSecret ?? "")))
                #expect(snooped["active"] as? Bool == false)
                #expect(snooped["sub"] == nil && snooped["username"] == nil && snooped["scope"] == nil)
                let own = try OIDCHarness.json(try await h.post("/oauth2/introspect", ["token": token], basic: (owner.clientID, ownerSecret ?? "")))
                #expect(own["active"] as? Bool == true)
            }
        }
    }

    @Test func aFailedPKCECheckLeavesTheCodeForTheRightVerifierOnce() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let (verifier, challenge) = OIDCHarness.pkce()
            let code = try await h.code(for: client, challenge: challenge)
            // The attacker who injected the stolen code has no verifier: refused, the code is not burnt.
            for wrong in [OIDCHarness.pkce().verifier, nil] {
                #expect(OIDCHarness.error(try await h.exchange(code, verifier: wrong, client: client, secret: secret)) == "invalid_grant")
            }
            let wrongRedirect = try await h.exchange(code, verifier: verifier, client: client, secret: secret, changes: ["redirect_uri": h.redirect + "/x"])
            #expect(OIDCHarness.error(wrongRedirect) == "invalid_grant")
            let good = try await h.exchange(code, verifier: verifier, client: client, secret: secret)
            #expect(good.status == .ok, "\(good.text)")
            let access = try #require(try OIDCHarness.json(good)["access_token"] as? String)
            // Still single use: a second redemption with the verifier revokes what the first gave.
            #expect(OIDCHarness.error(try await h.exchange(code, verifier: verifier, client: client, secret: secret)) == "invalid_grant")
            let info = try await h.client.execute(uri: "/oauth2/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"])
            #expect(info.status == .unauthorized)
        }
    }

    @Test func aCodeAFailedPKCECheckLeftUnusedStillExpiresOnTheServerClock() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let (verifier, challenge) = OIDCHarness.pkce()
            let kept = try await h.code(for: client, challenge: challenge)
            #expect(OIDCHarness.error(try await h.exchange(kept, verifier: OIDCHarness.pkce().verifier, client: client, secret: secret)) == "invalid_grant")
            h.clock.advance(by: 30)
            #expect(try await h.exchange(kept, verifier: verifier, client: client, secret: secret).status == .ok)
            let late = try await h.code(for: client, challenge: challenge)
            #expect(OIDCHarness.error(try await h.exchange(late, verifier: OIDCHarness.pkce().verifier, client: client, secret: secret)) == "invalid_grant")
            h.clock.advance(by: 61)
            #expect(OIDCHarness.error(try await h.exchange(late, verifier: verifier, client: client, secret: secret)) == "invalid_grant")
        }
    }

    @Test func acrValuesAreHonouredLevelsTheUserCannotReachFailAndTheIDTokenSaysWhatWasReached() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let browser = try await h.signedInBrowser()
            for acr in [OIDCAssurance.multiFactor, OIDCAssurance.passwordless, "urn:example:unknown \(OIDCAssurance.multiFactor)"] {
                var params = h.codeParameters(client, challenge: nil)
                params["acr_values"] = acr
                let location = try #require(try await h.authorize(browser, params).headers[.location])
                #expect(OIDCHarness.queryItem("error", in: location) == "unmet_authentication_requirements", "\(acr): \(location)")
                #expect(OIDCHarness.queryItem("code", in: location) == nil)
            }
            // What the password-only session meets gives a code; unknown values are ignored.
            for acr in [OIDCAssurance.password, "urn:example:unknown \(OIDCAssurance.password)"] {
                var params = h.codeParameters(client, challenge: nil)
                params["acr_values"] = acr
                let location = try #require(try await h.authorize(browser, params).headers[.location])
                let code = try #require(OIDCHarness.queryItem("code", in: location), "\(location)")
                let body = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
                #expect(try OIDCHarness.claims(try #require(body["id_token"] as? String))["acr"] as? String == OIDCAssurance.password)
            }
        }
    }

    @Test func aPasswordSessionAskedForMFAIsSentToSignInAgain() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            let browser = try await h.signedInBrowser()
            // Alice has an authenticator now, so MFA is reachable, but her session is password only.
            let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
            let key = Base64URL.encode(Array(repeating: UInt8(4), count: 65))
            try await h.store.insertDevice(Device(id: UUID().uuidString, userID: alice.id, name: "Phone", appVersion: "1", deviceKey: key,
                                                  approvalKey: key, state: .active, createdAt: Date()))
            h.clock.advance(by: 5)
            // ...and the policy covers her again (the harness took her out of it for the password session).
            try await PolicyService(env: h.env).save(.default, by: nil)
            var params = h.codeParameters(client, challenge: nil)
            params["acr_values"] = OIDCAssurance.multiFactor
            let response = try await h.authorize(browser, params)
            let location = try #require(response.headers[.location])
            #expect(OIDCHarness.queryItem("code", in: location) == nil, "a code for a password-only session: \(location)")
            #expect(location.hasPrefix("/login"), "\(location)")
            // prompt=none cannot show that sign-in.
            params["prompt"] = "none"
            let silent = try #require(try await h.authorize(browser, params).headers[.location])
            #expect(OIDCHarness.queryItem("error", in: silent) == "login_required")
        }
    }

    @Test func cibaNeverGrantsTheAdminScopeEvenToAnEnabledApplication() async throws {
        try await OIDCHarness.run { h in
            let (carol, phone) = try await OIDCCIBATests.userWithPhone(h)
            _ = try await h.store.assignRole(DirectoryRole.globalAdministrator.rawValue, userID: carol.id)
            let (client, secret) = try await h.register(OIDCClientDraft(displayName: "Call centre", grantTypes: [.ciba], deliveryMode: .poll,
                                                                        adminScopeEnabled: true))
            let basic = (client.clientID, secret ?? "")
            let started = try OIDCHarness.json(try await h.post("/oauth2/bc-authorize", ["scope": "openid tandem-admin",
                                                                                          "login_hint": carol.userPrincipalName], basic: basic))
            let authReqID = try #require(started["auth_req_id"] as? String)
            _ = try await OIDCCIBATests.answer(h, carol, phone, .approve, number: try #require(started["tandem_number"] as? String))
            h.clock.advance(by: 11)
            let tokens = try OIDCHarness.json(try await OIDCCIBATests.poll(h, basic, authReqID))
            #expect(tokens["scope"] as? String == "openid", "\(tokens)")
            let access = try #require(tokens["access_token"] as? String)
            #expect(try await Self.adminCall(h, access).status == .unauthorized)
        }
    }
}
