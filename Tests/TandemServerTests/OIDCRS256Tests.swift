import _CryptoExtras
import Crypto
import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemServer
import TandemServices
import TandemTesting
import Testing

/// RS256 ID tokens for the clients that ask for them (OIDC Discovery §3: "The algorithm RS256 MUST be
/// included") and the access token in a UserInfo POST body (RFC 6750 §2.2). Decision 0030.
@Suite struct OIDCRS256Tests {
    /// The RSA public key the JWKS publishes under `kid`, rebuilt from `n` and `e` with swift-crypto (not jwt-kit).
    static func publishedRSAKey(_ h: OIDCHarness, kid: String) async throws -> _RSA.Signing.PublicKey {
        let keys = try #require(try OIDCHarness.json(try await h.client.execute(uri: "/oauth2/jwks", method: .get))["keys"] as? [[String: String]])
        let jwk = try #require(keys.first { $0["kid"] == kid && $0["kty"] == "RSA" })
        let n = try #require(jwk["n"].flatMap(Base64URL.decode)), e = try #require(jwk["e"].flatMap(Base64URL.decode))
        return try _RSA.Signing.PublicKey(n: Data(n), e: Data(e))
    }

    static func signedInput(_ jwt: String) -> (input: Data, signature: Data) {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        return (Data((parts[0] + "." + parts[1]).utf8), Data(Base64URL.decode(parts[2]) ?? []))
    }

    @Test("A client registered for RS256 gets RS256 ID tokens that verify with the published RSA key; access tokens stay ES256; others keep ES256")
    func rs256IDTokens() async throws {
        try await OIDCHarness.run { h in
            var draft = OIDCClientDraft(displayName: "Legacy app", redirectURIs: [h.redirect])
            draft.idTokenAlgorithm = .rs256
            let (client, secret) = try await h.register(draft)
            let browser = try await h.signedInBrowser()
            let code = try await h.code(for: client, challenge: nil, browser: browser)
            let tokens = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let idToken = try #require(tokens["id_token"] as? String)
            let header = try OIDCHarness.header(idToken)
            #expect(header["alg"] as? String == "RS256" && header["typ"] as? String == "JWT")
            let kid = try #require(header["kid"] as? String)
            let key = try await Self.publishedRSAKey(h, kid: kid)
            let (input, signature) = Self.signedInput(idToken)
            #expect(key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: input, padding: .insecurePKCS1v1_5))
            var changed = input
            changed[changed.count - 1] ^= 1
            #expect(!key.isValidSignature(_RSA.Signing.RSASignature(rawRepresentation: signature), for: changed, padding: .insecurePKCS1v1_5))
            #expect(try OIDCHarness.claims(idToken)["aud"] as? String == client.clientID)
            let access = try #require(tokens["access_token"] as? String)
            #expect(try OIDCHarness.header(access)["alg"] as? String == "ES256")
            #expect(try await h.client.execute(uri: "/oauth2/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"]).status == .ok)

            // The RS256 ID token is a valid id_token_hint at logout.
            let out = try await browser.request("/oauth2/logout?id_token_hint=\(idToken)&post_logout_redirect_uri=\(OIDCHarness.encode(h.redirect))")
            #expect(out.headers[.location] == h.redirect)

            let (other, otherSecret) = try await h.register()
            let otherCode = try await h.code(for: other, challenge: nil)
            let otherTokens = try OIDCHarness.json(try await h.exchange(otherCode, verifier: nil, client: other, secret: otherSecret))
            #expect(try OIDCHarness.header(try #require(otherTokens["id_token"] as? String))["alg"] as? String == "ES256")
        }
    }

    @Test("Algorithm confusion: an RS256 token relabelled ES256 (or ES256 relabelled RS256, or HS256 with the public key) is refused")
    func algorithmConfusionIsRefused() async throws {
        try await OIDCHarness.run { h in
            var draft = OIDCClientDraft(displayName: "Legacy app", redirectURIs: [h.redirect])
            draft.idTokenAlgorithm = .rs256
            let (client, secret) = try await h.register(draft)
            let code = try await h.code(for: client, challenge: nil)
            let tokens = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let idToken = try #require(tokens["id_token"] as? String)
            let access = try #require(tokens["access_token"] as? String)
            func relabel(_ jwt: String, alg: String) throws -> String {
                var header = try OIDCHarness.header(jwt)
                header["alg"] = alg
                let parts = jwt.split(separator: ".").map(String.init)
                return Base64URL.encode(try JSONSerialization.data(withJSONObject: header)) + "." + parts[1] + "." + parts[2]
            }
            let hmacWithPublicKey: String = try {
                var header = try OIDCHarness.header(access)
                header["alg"] = "HS256"
                let parts = access.split(separator: ".").map(String.init)
                let head = Base64URL.encode(try JSONSerialization.data(withJSONObject: header))
                let mac = HMAC<SHA256>.authenticationCode(for: Data((head + "." + parts[1]).utf8), using: SymmetricKey(data: Data("public".utf8)))
                return head + "." + parts[1] + "." + Base64URL.encode(Data(mac))
            }()
            for forged in [try relabel(access, alg: "RS256"), try relabel(access, alg: "PS256"), hmacWithPublicKey] {
                let refused = try await h.client.execute(uri: "/oauth2/userinfo", method: .get, headers: [.authorization: "Bearer \(forged)"])
                #expect(refused.status == .unauthorized)
            }
            let browser = try await h.signedInBrowser()
            let bad = try await browser.request("/oauth2/logout?id_token_hint=\(try relabel(idToken, alg: "ES256"))&post_logout_redirect_uri=\(OIDCHarness.encode(h.redirect))")
            #expect(bad.status == .badRequest)
        }
    }

    @Test("Both algorithms rotate: the next RSA key is published a day ahead and the old one stays while its tokens live")
    func rsaKeysRotate() async throws {
        try await OIDCHarness.run { h in
            let first = try await OIDCDiscoveryTests.kids(h, alg: "RS256")
            #expect(first.count == 1)
            h.clock.advance(by: 29 * 86_400 + 1)
            let both = try await OIDCDiscoveryTests.kids(h, alg: "RS256")
            #expect(both.count == 2 && both.first == first.first)
            h.clock.advance(by: 86_400 + 3600 + 302)
            #expect(try await OIDCDiscoveryTests.kids(h, alg: "RS256") == [both[1]])
        }
    }

    @Test("The application's tandemIdTokenSignedResponseAlg is set and shown through Graph; another value is a 400 naming it")
    func graphProperty() async throws {
        try await OIDCHarness.run { h in
            let admin = try await OIDCAdminAPITests.adminToken(h, role: .globalAdministrator)
            let created = try await OIDCAdminAPITests.call(h, .post, "/v1.0/applications", token: admin, body: """
                {"displayName": "Legacy", "web": {"redirectUris": ["https://legacy.example.com/cb"]}, "tandemIdTokenSignedResponseAlg": "RS256"}
                """)
            #expect(created.status == .created, "\(created.text)")
            let app = try OIDCHarness.json(created)
            #expect(app["tandemIdTokenSignedResponseAlg"] as? String == "RS256")
            let id = try #require(app["id"] as? String)
            #expect(try await h.store.oidcClient(id: id)?.idTokenAlgorithm == .rs256)
            for bad in [#""HS256""#, #""none""#, "256", "null"] {
                let refused = try await OIDCAdminAPITests.call(h, .patch, "/v1.0/applications/\(id)", token: admin,
                                                               body: #"{"tandemIdTokenSignedResponseAlg": \#(bad)}"#)
                #expect(refused.status == .badRequest && refused.text.contains("tandemIdTokenSignedResponseAlg"), "\(bad): \(refused.text)")
            }
            #expect(try await OIDCAdminAPITests.call(h, .patch, "/v1.0/applications/\(id)", token: admin,
                                                     body: #"{"tandemIdTokenSignedResponseAlg": "ES256"}"#).status == .noContent)
            #expect(try await h.store.oidcClient(id: id)?.idTokenAlgorithm == .es256)
        }
    }

    @Test("UserInfo takes the access token from a POST form body (RFC 6750 §2.2), refuses it twice over with 400, never from the query")
    func userInfoFormBody() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let code = try await h.code(for: client, challenge: nil)
            let tokens = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let access = try #require(tokens["access_token"] as? String)
            let posted = try await h.post("/oauth2/userinfo", ["access_token": access])
            #expect(posted.status == .ok, "\(posted.text)")
            #expect(try OIDCHarness.json(posted)["preferred_username"] as? String == "alice@contoso.com")

            let twice = try await h.post("/oauth2/userinfo", ["access_token": access], headers: [.authorization: "Bearer \(access)"])
            #expect(twice.status == .badRequest && OIDCHarness.error(twice) == "invalid_request")
            #expect(twice.headers[.wwwAuthenticate]?.contains("invalid_request") == true)
            let tampered = try await h.post("/oauth2/userinfo", ["access_token": String(access.dropLast(2)) + "AA"])
            #expect(tampered.status == .unauthorized && tampered.headers[.wwwAuthenticate]?.contains("invalid_token") == true)
            let repeated = try await h.client.execute(uri: "/oauth2/userinfo", method: .post, headers: [.contentType: "application/x-www-form-urlencoded"],
                                                      body: ByteBuffer(string: "access_token=\(access)&access_token=\(access)"))
            #expect(repeated.status == .badRequest)
            let empty = try await h.post("/oauth2/userinfo", ["access_token": ""])
            #expect(empty.status == .unauthorized)
            let json = try await h.client.execute(uri: "/oauth2/userinfo", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(string: #"{"access_token":"\#(access)"}"#))
            #expect(json.status == .unauthorized)
            let query = try await h.client.execute(uri: "/oauth2/userinfo?access_token=\(access)", method: .get)
            #expect(query.status == .unauthorized)
        }
    }
}
