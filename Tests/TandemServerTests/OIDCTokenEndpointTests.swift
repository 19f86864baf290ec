import Foundation
import HTTPTypes
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import Testing

/// The token endpoint: the code flow with PKCE, refresh rotation, client credentials, and one test
/// per rejected condition, each changing one thing in a valid exchange.
@Suite struct OIDCTokenEndpointTests {
    @Test func aValidCodeExchangeGivesTheTokensOfTheSpecifications() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let (verifier, challenge) = OIDCHarness.pkce()
            let code = try await h.code(for: client, challenge: challenge)
            let response = try await h.exchange(code, verifier: verifier, client: client, secret: secret)
            #expect(response.status == .ok, "\(response.text)")
            #expect(response.headers[.cacheControl] == "no-store")
            #expect(response.headers[HTTPField.Name("Pragma")!] == "no-cache")
            let body = try OIDCHarness.json(response)
            for field in ["access_token", "token_type", "expires_in", "refresh_token", "id_token", "scope"] {
                #expect(body[field] != nil, "token response lacks \(field)")
            }
            #expect(body["token_type"] as? String == "Bearer")
            let id = try OIDCHarness.claims(try #require(body["id_token"] as? String))
            for claim in ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "at_hash"] {
                #expect(id[claim] != nil, "ID token lacks \(claim)")
            }
            #expect(id["iss"] as? String == OIDCHarness.issuer)
            #expect(id["aud"] as? String == client.clientID)
            #expect(id["nonce"] as? String == "nonce-456")
            #expect(id["amr"] as? [String] == ["pwd"])
            #expect(id["acr"] as? String == OIDCAssurance.password)
            let header = try OIDCHarness.header(try #require(body["id_token"] as? String))
            #expect(header["alg"] as? String == "ES256")
            #expect(header["kid"] as? String != nil)
            #expect(try OIDCHarness.header(try #require(body["access_token"] as? String))["typ"] as? String == "at+jwt")
        }
    }

    @Test func anUnknownClientIsInvalidClient() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let code = try await h.code(for: client, challenge: nil)
            let response = try await h.post("/oauth2/token", ["grant_type": "authorization_code", "code": code, "redirect_uri": h.redirect],
                                            basic: ("no-such-client", secret ?? ""))
            #expect(response.status == .unauthorized)
            #expect(OIDCHarness.error(response) == "invalid_client")
            #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
        }
    }

    @Test func aWrongSecretIsInvalidClient() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            let code = try await h.code(for: client, challenge: nil)
            let response = try await h.exchange(code, verifier: nil, client: client, secret: "not-the-secret")
            #expect(response.status == .unauthorized)
            #expect(OIDCHarness.error(response) == "invalid_client")
        }
    }

    @Test func anotherAuthenticationMethodThanTheRegisteredOneIsInvalidClient() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let code = try await h.code(for: client, challenge: nil)
            let response = try await h.post("/oauth2/token", ["grant_type": "authorization_code", "code": code, "redirect_uri": h.redirect,
                                                              "client_id": client.clientID, "client_secret": secret ?? ""])
            #expect(OIDCHarness.error(response) == "invalid_client")
        }
    }

    @Test func twoAuthenticationMethodsAtOnceAreInvalidRequest() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let code = try await h.code(for: client, challenge: nil)
            let response = try await h.exchange(code, verifier: nil, client: client, secret: secret, changes: ["client_secret": secret])
            #expect(response.status == .badRequest)
            #expect(OIDCHarness.error(response) == "invalid_request")
        }
    }

    @Test func aRedirectURIThatDiffersFromTheAuthorizationRequestIsInvalidGrant() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let code = try await h.code(for: client, challenge: nil)
            let response = try await h.exchange(code, verifier: nil, client: client, secret: secret, changes: ["redirect_uri": h.redirect + "/"])
            #expect(response.status == .badRequest)
            #expect(OIDCHarness.error(response) == "invalid_grant")
        }
    }

    @Test(arguments: [("wrong", "invalid_grant"), ("missing", "invalid_grant"), ("malformed", "invalid_request")])
    func aBadPKCEVerifierIsRefused(_ variant: String, _ expected: String) async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let (_, challenge) = OIDCHarness.pkce()
            let code = try await h.code(for: client, challenge: challenge)
            let verifier: String? = switch variant {
            case "wrong": OIDCHarness.pkce().verifier
            case "missing": nil
            default: "short"
            }
            let response = try await h.exchange(code, verifier: verifier, client: client, secret: secret)
            #expect(response.status == .badRequest)
            #expect(OIDCHarness.error(response) == expected)
        }
    }

    @Test func aVerifierWithoutAChallengeIsInvalidGrant() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let code = try await h.code(for: client, challenge: nil)
            let response = try await h.exchange(code, verifier: OIDCHarness.pkce().verifier, client: client, secret: secret)
            #expect(OIDCHarness.error(response) == "invalid_grant")
        }
    }

    @Test func aReusedCodeIsInvalidGrantAndRevokesWhatItGave() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let (verifier, challenge) = OIDCHarness.pkce()
            let code = try await h.code(for: client, challenge: challenge)
            let first = try OIDCHarness.json(try await h.exchange(code, verifier: verifier, client: client, secret: secret))
            let access = try #require(first["access_token"] as? String)
            let refresh = try #require(first["refresh_token"] as? String)
            let introspected = try await h.post("/oauth2/introspect", ["token": access], basic: (client.clientID, secret ?? ""))
            #expect(try OIDCHarness.json(introspected)["active"] as? Bool == true)

            let second = try await h.exchange(code, verifier: verifier, client: client, secret: secret)
            #expect(second.status == .badRequest)
            #expect(OIDCHarness.error(second) == "invalid_grant")

            let after = try await h.post("/oauth2/introspect", ["token": access], basic: (client.clientID, secret ?? ""))
            #expect(try OIDCHarness.json(after)["active"] as? Bool == false)
            let refreshed = try await h.post("/oauth2/token", ["grant_type": "refresh_token", "refresh_token": refresh], basic: (client.clientID, secret ?? ""))
            #expect(OIDCHarness.error(refreshed) == "invalid_grant")
            let info = try await h.client.execute(uri: "/oauth2/userinfo", method: .get, headers: [.authorization: "Bearer \(access)"])
            #expect(info.status == .unauthorized)
        }
    }

    @Test func anExpiredCodeIsInvalidGrant() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let code = try await h.code(for: client, challenge: nil)
            h.clock.advance(by: 61)
            let response = try await h.exchange(code, verifier: nil, client: client, secret: secret)
            #expect(OIDCHarness.error(response) == "invalid_grant")
        }
    }

    @Test func aCodeOfAnotherClientIsInvalidGrant() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            let (other, otherSecret) = try await h.register(OIDCClientDraft(displayName: "Other", redirectURIs: [h.redirect]))
            let code = try await h.code(for: client, challenge: nil)
            let response = try await h.exchange(code, verifier: nil, client: other, secret: otherSecret)
            #expect(OIDCHarness.error(response) == "invalid_grant")
        }
    }

    @Test func aMissingOrUnknownGrantTypeIsRefusedWithItsOwnCode() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let basic = (client.clientID, secret ?? "")
            #expect(OIDCHarness.error(try await h.post("/oauth2/token", [:], basic: basic)) == "invalid_request")
            #expect(OIDCHarness.error(try await h.post("/oauth2/token", ["grant_type": "password"], basic: basic)) == "unsupported_grant_type")
        }
    }

    @Test func aGrantTheClientIsNotRegisteredForIsUnauthorizedClient() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register(OIDCClientDraft(displayName: "Web only", redirectURIs: [h.redirect], grantTypes: [.authorizationCode]))
            let response = try await h.post("/oauth2/token", ["grant_type": "client_credentials"], basic: (client.clientID, secret ?? ""))
            #expect(OIDCHarness.error(response) == "unauthorized_client")
        }
    }

    @Test func aRepeatedParameterIsInvalidRequest() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let pair = "\(client.clientID):\(secret ?? "")"
            let response = try await h.client.execute(
                uri: "/oauth2/token", method: .post,
                headers: [.contentType: "application/x-www-form-urlencoded", .authorization: "Basic " + Data(pair.utf8).base64EncodedString()],
                body: .init(string: "grant_type=client_credentials&grant_type=client_credentials"))
            #expect(OIDCHarness.error(response) == "invalid_request")
        }
    }

    @Test func aPublicClientNeedsNoSecretButItsCodeNeedsTheVerifier() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register(OIDCClientDraft(displayName: "Mobile", authMethod: .none, redirectURIs: [h.redirect]))
            #expect(secret == nil)
            let (verifier, challenge) = OIDCHarness.pkce()
            let code = try await h.code(for: client, challenge: challenge)
            let response = try await h.exchange(code, verifier: verifier, client: client, secret: nil)
            #expect(response.status == .ok, "\(response.text)")
            let cc = try await h.post("/oauth2/token", ["grant_type": "client_credentials", "client_id": client.clientID])
            #expect(OIDCHarness.error(cc) == "unauthorized_client")
        }
    }

    @Test func aRefreshTokenRotatesAndItsReuseRevokesTheFamily() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let basic = (client.clientID, secret ?? "")
            let code = try await h.code(for: client, challenge: nil)
            let first = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let r1 = try #require(first["refresh_token"] as? String)
            let rotated = try OIDCHarness.json(try await h.post("/oauth2/token", ["grant_type": "refresh_token", "refresh_token": r1], basic: basic))
            let r2 = try #require(rotated["refresh_token"] as? String)
            #expect(r2 != r1)
            #expect(rotated["id_token"] != nil)
            let reuse = try await h.post("/oauth2/token", ["grant_type": "refresh_token", "refresh_token": r1], basic: basic)
            #expect(OIDCHarness.error(reuse) == "invalid_grant")
            let familyGone = try await h.post("/oauth2/token", ["grant_type": "refresh_token", "refresh_token": r2], basic: basic)
            #expect(OIDCHarness.error(familyGone) == "invalid_grant")
            let access = try #require(rotated["access_token"] as? String)
            #expect(try OIDCHarness.json(try await h.post("/oauth2/introspect", ["token": access], basic: basic))["active"] as? Bool == false)
        }
    }

    @Test func aRefreshMayNarrowButNotWidenTheScopes() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register()
            let basic = (client.clientID, secret ?? "")
            let code = try await h.code(for: client, challenge: nil, scope: "openid offline_access")
            let first = try OIDCHarness.json(try await h.exchange(code, verifier: nil, client: client, secret: secret))
            let wider = try await h.post("/oauth2/token", ["grant_type": "refresh_token", "scope": "openid email offline_access",
                                                            "refresh_token": try #require(first["refresh_token"] as? String)], basic: basic)
            #expect(OIDCHarness.error(wider) == "invalid_scope")
        }
    }

    @Test func clientCredentialsGiveAnAppTokenForTheAdminAPIOnly() async throws {
        try await OIDCHarness.run { h in
            let (client, secret) = try await h.register(OIDCClientDraft(displayName: "Automation", roles: ["Authentication Policy Administrator"]))
            let basic = (client.clientID, secret ?? "")
            let ok = try OIDCHarness.json(try await h.post("/oauth2/token", ["grant_type": "client_credentials"], basic: basic))
            let claims = try OIDCHarness.claims(try #require(ok["access_token"] as? String))
            #expect(claims["sub"] as? String == client.clientID)
            #expect(claims["idtyp"] as? String == "app")
            #expect(claims["aud"] as? [String] == ["tandem-admin"])
            #expect(claims["wids"] as? [String] == [DirectoryRole.authenticationPolicyAdministrator.rawValue])
            #expect(ok["refresh_token"] == nil && ok["id_token"] == nil)
            let wrong = try await h.post("/oauth2/token", ["grant_type": "client_credentials", "scope": "openid"], basic: basic)
            #expect(OIDCHarness.error(wrong) == "invalid_scope")
        }
    }
}
