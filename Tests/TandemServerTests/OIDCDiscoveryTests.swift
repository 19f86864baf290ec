import Foundation
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// Discovery and JWKS against the specifications' required fields, the signing keys (sealed at
/// rest, rotated, retired keys published until their tokens expire), UserInfo, tampered tokens,
/// revocation and RP-initiated logout.
@Suite struct OIDCDiscoveryTests {
    @Test func discoveryHasEveryRequiredField() async throws {
        try await OIDCHarness.run { h in
            let doc = try OIDCHarness.json(try await h.client.execute(uri: "/.well-known/openid-configuration", method: .get))
            // OpenID Connect Discovery 1.0 §3 (REQUIRED), RFC 8414 §2, CIBA Core §4.
            for field in ["issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "response_types_supported",
                          "subject_types_supported", "id_token_signing_alg_values_supported",
                          "backchannel_authentication_endpoint", "backchannel_token_delivery_modes_supported"] {
                #expect(doc[field] != nil, "discovery lacks \(field)")
            }
            #expect(doc["issuer"] as? String == OIDCHarness.issuer)
            #expect(doc["id_token_signing_alg_values_supported"] as? [String] == ["ES256", "RS256"])
            #expect(doc["code_challenge_methods_supported"] as? [String] == ["S256"])
            #expect(doc["request_uri_parameter_supported"] as? Bool == false)
            let endpoints = ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "end_session_endpoint",
                             "revocation_endpoint", "introspection_endpoint", "backchannel_authentication_endpoint"]
            for name in endpoints { #expect((doc[name] as? String)?.hasPrefix(OIDCHarness.issuer + "/") == true, "\(name)") }
        }
    }

    @Test func jwksPublishesTheSigningKeysWithTheirKeyIDs() async throws {
        try await OIDCHarness.run { h in
            let keys = try #require(try OIDCHarness.json(try await h.client.execute(uri: "/oauth2/jwks", method: .get))["keys"] as? [[String: String]])
            #expect(keys.count == 2)
            let key = try #require(keys.first { $0["kty"] == "EC" })
            #expect(key["kty"] == "EC" && key["crv"] == "P-256" && key["alg"] == "ES256" && key["use"] == "sig")
            #expect(key["kid"]?.isEmpty == false && key["x"]?.count == 43 && key["y"]?.count == 43)
            let rsa = try #require(keys.first { $0["kty"] == "RSA" })
            #expect(rsa["alg"] == "RS256" && rsa["use"] == "sig" && rsa["e"] == "AQAB")
            // A 2048-bit modulus is 256 bytes: 342 base64url characters, no padding, no leading zero byte.
            #expect(rsa["n"]?.count == 342 && rsa["kid"]?.isEmpty == false && rsa["kid"] != key["kid"])
            for key in keys { #expect(key["d"] == nil && key["p"] == nil && key["q"] == nil) }
        }
    }

    @Test func signingKeysAreSealedAtRest() async throws {
        try await OIDCHarness.run { h in
            _ = try await h.client.execute(uri: "/oauth2/jwks", method: .get)
            let stored = try await h.store.signingKeys(purpose: "oidc")
            #expect(stored.count == 1)
            #expect(stored[0].privateKey.hasPrefix("v1."))
            #expect(Base64URL.decode(stored[0].privateKey).map { $0.count == 32 } != true)
            let rsa = try await h.store.signingKeys(purpose: "oidc-rs256")
            #expect(rsa.count == 1 && rsa[0].privateKey.hasPrefix("v1."))
            // Not a DER RSAPrivateKey in the clear (which starts with a SEQUENCE tag, 0x30 0x82).
            #expect(Base64URL.decode(rsa[0].privateKey).map { Array($0.prefix(2)) == [0x30, 0x82] } != true)
            #expect(!rsa[0].privateKey.contains("MII"))
        }
    }

    @Test func aDifferentSecretKeyCannotOpenTheStoredKeysAndMakesANewOne() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-oidc-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        let first = OIDCKidBox()
        try await OIDCHarness.run(secretKey: "first-secret-key-0123456789abcdefghij", path: path) { h in
            let keys = try OIDCHarness.json(try await h.client.execute(uri: "/oauth2/jwks", method: .get))["keys"] as? [[String: String]]
            first.kid = keys?.first?["kid"]
            first.rsaKid = keys?.first { $0["kty"] == "RSA" }?["kid"]
        }
        try await OIDCHarness.run(secretKey: "second-secret-key-0123456789abcdefghi", path: path) { h in
            let keys = try #require(try OIDCHarness.json(try await h.client.execute(uri: "/oauth2/jwks", method: .get))["keys"] as? [[String: String]])
            #expect(keys.count == 2)
            #expect(first.kid != nil && first.rsaKid != nil)
            #expect(!keys.contains { $0["kid"] == first.kid || $0["kid"] == first.rsaKid })
        }
    }

    @Test func aRotatedKeyStaysPublishedUntilItsTokensHaveExpired() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register(OIDCClientDraft(displayName: "Automation", roles: []))
            let basic = (client.clientID, secret ?? "")
            let old = try OIDCHarness.json(try await h.post("/oauth2/token", ["grant_type": "client_credentials"], basic: basic))
            let oldKid = try OIDCHarness.header(try #require(old["access_token"] as? String))["kid"] as? String
            // A day before the rotation the next key is published, but the old one still signs.
            h.clock.advance(by: 29 * 86_400 + 1)
            let before = try OIDCHarness.json(try await h.post("/oauth2/token", ["grant_type": "client_credentials"], basic: basic))
            #expect(try OIDCHarness.header(try #require(before["access_token"] as? String))["kid"] as? String == oldKid)
            var kids = try await Self.kids(h)
            #expect(kids.count == 2 && kids.first == oldKid)
            // A day later the new key signs; the old one stays published while its tokens live.
            h.clock.advance(by: 86_400 + 1)
            let new = try OIDCHarness.json(try await h.post("/oauth2/token", ["grant_type": "client_credentials"], basic: basic))
            let newKid = try OIDCHarness.header(try #require(new["access_token"] as? String))["kid"] as? String
            #expect(oldKid != newKid && newKid == kids.last)
            kids = try await Self.kids(h)
            #expect(kids == [oldKid, newKid].compactMap { $0 })
            h.clock.advance(by: 3600 + 301)
            kids = try await Self.kids(h)
            #expect(kids == [newKid].compactMap { $0 })
        }
    }

    static func kids(_ h: OIDCHarness, alg: String = "ES256") async throws -> [String] {
        let keys = try #require(try OIDCHarness.json(try await h.client.execute(uri: "/oauth2/jwks", method: .get))["keys"] as? [[String: String]])
        return keys.filter { $0["alg"] == alg }.compactMap { $0["kid"] }
    }

    @Test func userInfoAnswersALiveTokenAndRefusesATamperedOne() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let code = try await h.code(for: client, challenge: nil)
            let tokens = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let access = try #require(tokens["access_token"] as? String)
            let info = try OIDCHarness.json(try await h.client.execute(uri: "/oauth2/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"]))
            #expect(info["preferred_username"] as? String == "alice@contoso.com")
            #expect(info["email"] as? String == "alice@contoso.com")

            for tampered in Self.tamperings(of: access) {
                let refused = try await h.client.execute(uri: "/oauth2/userinfo", method: .get, headers: [.authorization: "Bearer \(tampered)"])
                #expect(refused.status == .unauthorized)
                #expect(refused.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            }
            let none = try await h.client.execute(uri: "/oauth2/userinfo", method: .get)
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate] == "Bearer realm=\"tandem\"")
            let idToken = try #require(tokens["id_token"] as? String)
            let wrongKind = try await h.client.execute(uri: "/oauth2/userinfo", method: .get, headers: [.authorization: "Bearer \(idToken)"])
            #expect(wrongKind.status == .unauthorized)
            h.clock.advance(by: 601)
            let expired = try await h.client.execute(uri: "/oauth2/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"])
            #expect(expired.status == .unauthorized)
        }
    }

    /// A changed claim, a changed signature, `alg: none`, and a token signed by another key.
    static func tamperings(of jwt: String) -> [String] {
        let parts = jwt.split(separator: ".").map(String.init)
        var claims = (try? JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[1]) ?? [])) as? [String: Any]) ?? [:]
        claims["sub"] = "someone-else"
        let changedClaims = Base64URL.encode((try? JSONSerialization.data(withJSONObject: claims)) ?? Data())
        var signature = Array(parts[2])
        signature[5] = signature[5] == "A" ? "B" : "A"
        let none = Base64URL.encode(Array(#"{"alg":"none","typ":"at+jwt"}"#.utf8))
        return [parts[0] + "." + changedClaims + "." + parts[2],
                parts[0] + "." + parts[1] + "." + String(signature),
                none + "." + parts[1] + ".",
                parts[0] + "." + parts[1]]
    }

    @Test func revokingARefreshTokenEndsTheSignInsTokens() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let basic = (client.clientID, secret ?? "")
            let code = try await h.code(for: client, challenge: nil)
            let tokens = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let revoked = try await h.post("/oauth2/revoke", ["token": try #require(tokens["refresh_token"] as? String),
                                                               "token_type_hint": "refresh_token"], basic: basic)
            #expect(revoked.status == .ok)
            let access = try #require(tokens["access_token"] as? String)
            #expect(try OIDCHarness.json(try await h.post("/oauth2/introspect", ["token": access], basic: basic))["active"] as? Bool == false)
            #expect(try await h.post("/oauth2/revoke", ["token": "unknown"], basic: basic).status == .ok)
            #expect(OIDCHarness.error(try await h.post("/oauth2/revoke", ["token": access], basic: (client.clientID, "wrong"))) == "invalid_client")
        }
    }

    @Test func introspectionDescribesALiveTokenAndNeedsAConfidentialClient() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let (mobile, _) = try await h.register(OIDCClientDraft(displayName: "Mobile", authMethod: .none, redirectURIs: [h.redirect]))
            let code = try await h.code(for: client, challenge: nil)
            let tokens = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let access = try #require(tokens["access_token"] as? String)
            let body = try OIDCHarness.json(try await h.post("/oauth2/introspect", ["token": access], basic: (client.clientID, secret ?? "")))
            #expect(body["active"] as? Bool == true)
            #expect(body["client_id"] as? String == client.clientID)
            #expect(body["username"] as? String == "alice@contoso.com")
            #expect(body["token_type"] as? String == "Bearer")
            let refresh = try #require(tokens["refresh_token"] as? String)
            let rt = try OIDCHarness.json(try await h.post("/oauth2/introspect", ["token": refresh], basic: (client.clientID, secret ?? "")))
            #expect(rt["active"] as? Bool == true && rt["token_type"] as? String == "refresh_token")
            let publicClient = try await h.post("/oauth2/introspect", ["token": access, "client_id": mobile.clientID])
            #expect(OIDCHarness.error(publicClient) == "invalid_client")
        }
    }

    @Test func logoutWithAnIDTokenHintSignsOutAndReturnsToTheRegisteredURI() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let browser = try await h.signedInBrowser()
            let code = try await h.code(for: client, challenge: nil, browser: browser)
            let tokens = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let hint = try #require(tokens["id_token"] as? String)
            let bad = try await browser.request("/oauth2/logout?id_token_hint=\(hint)&post_logout_redirect_uri=\(OIDCHarness.encode("https://evil.example.com/"))")
            #expect(bad.status == .badRequest)
            let out = try await browser.request("/oauth2/logout?id_token_hint=\(hint)&state=s1&post_logout_redirect_uri=\(OIDCHarness.encode(h.redirect))")
            #expect(out.headers[.location] == h.redirect + "?state=s1")
            #expect(out.headers[values: .setCookie].contains { $0.hasPrefix("tandem_session=;") })
            #expect(try await browser.request("/").headers[.location] == "/login")
        }
    }

    @Test func logoutWithoutAHintAsksThePersonFirst() async throws {
        try await OIDCHarness.run { h in
            let browser = try await h.signedInBrowser()
            let page = try await browser.request("/oauth2/logout")
            #expect(page.status == .ok)
            #expect(page.text.contains("Sign out?"))
            #expect(try await browser.request("/").status == .ok)
            let forged = try await browser.request("/oauth2/logout", method: .post, form: ["confirm": "yes", "csrf": "forged"])
            #expect(forged.status == .forbidden)
            let csrf = try #require(page.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let out = try await browser.request("/oauth2/logout", method: .post, form: ["confirm": "yes", "csrf": String(csrf)])
            #expect(out.status == .ok)
            #expect(try await browser.request("/").headers[.location] == "/login")
        }
    }
}

final class OIDCKidBox: @unchecked Sendable {
    var kid: String?
    var rsaKid: String?
}
