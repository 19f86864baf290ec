import Foundation
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import Testing

/// The authorization endpoint: what is shown instead of redirected, what is redirected with which
/// error, and how `prompt`, `max_age` and `login_hint` lead to Tandem's sign-in and back.
@Suite struct OIDCAuthorizeTests {
    @Test func anUnknownClientIsShownNotRedirected() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            var params = h.codeParameters(client, challenge: nil)
            params["client_id"] = "nobody"
            let response = try await h.authorize(Browser(h.client), params)
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
            #expect(response.text.contains("unknown client_id"))
        }
    }

    @Test(arguments: ["https://app.example.com/callback/", "https://app.example.com/Callback", "https://app.example.com/callback?x=1",
                      "http://app.example.com/callback", "https://evil.example.com/callback"])
    func aRedirectURIIsMatchedExactly(_ uri: String) async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            var params = h.codeParameters(client, challenge: nil)
            params["redirect_uri"] = uri
            let response = try await h.authorize(Browser(h.client), params)
            #expect(response.status == .badRequest)
            #expect(response.headers[.location] == nil)
        }
    }

    @Test(arguments: [
        (["response_type": "token"], "unsupported_response_type"),
        (["code_challenge_method": "plain"], "invalid_request"),
        (["scope": "openid payroll.read"], "invalid_scope"),
        (["prompt": "none login"], "invalid_request"),
        (["max_age": "-1"], "invalid_request"),
        (["request": "eyJhbGciOiJub25lIn0.e30."], "request_not_supported"),
        (["request_uri": "https://app.example.com/r"], "request_uri_not_supported"),
    ])
    func aBadRequestGoesBackToTheClientWithItsErrorAndState(_ change: [String: String], _ expected: String) async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            let (_, challenge) = OIDCHarness.pkce()
            var params = h.codeParameters(client, challenge: challenge)
            for (key, value) in change { params[key] = value }
            let response = try await h.authorize(Browser(h.client), params)
            #expect(response.status == .found)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix(h.redirect + "?"))
            #expect(OIDCHarness.queryItem("error", in: location) == expected)
            #expect(OIDCHarness.queryItem("state", in: location) == "state-123")
            #expect(OIDCHarness.queryItem("iss", in: location) == OIDCHarness.issuer)
        }
    }

    @Test func aPublicClientWithoutPKCEIsRefused() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register(OIDCClientDraft(displayName: "SPA", authMethod: .none, redirectURIs: [h.redirect]))
            let response = try await h.authorize(Browser(h.client), h.codeParameters(client, challenge: nil))
            #expect(OIDCHarness.queryItem("error", in: response.headers[.location] ?? "") == "invalid_request")
        }
    }

    @Test func withoutASessionTheBrowserSignsInAndComesBackWithACode() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            let browser = Browser(h.client)
            let first = try await h.authorize(browser, h.codeParameters(client, challenge: nil))
            let login = try #require(first.headers[.location])
            #expect(login.hasPrefix("/login?return_to="))
            let page = try await browser.request(login)
            let returnTo = try #require(OIDCHarness.queryItem("return_to", in: login))
            #expect(page.text.contains("name=\"return_to\""))
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com", "return_to": returnTo])
            #expect(try await browser.request("/login/password", method: .post, form: ["password": "correct horse"]).headers[.location] == "/login/complete")
            let done = try await browser.request("/login/complete")
            #expect(done.headers[.location] == returnTo)
            let back = try await browser.request(returnTo)
            let location = try #require(back.headers[.location])
            #expect(location.hasPrefix(h.redirect + "?code="))
            #expect(OIDCHarness.queryItem("state", in: location) == "state-123")
            // The waiting request answers once.
            #expect(try await browser.request(returnTo).status == .badRequest)
        }
    }

    @Test func aLiveSessionGetsACodeAtOnce() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            let response = try await h.authorize(try await h.signedInBrowser(), h.codeParameters(client, challenge: nil))
            #expect(OIDCHarness.queryItem("code", in: response.headers[.location] ?? "") != nil)
        }
    }

    @Test(arguments: [["prompt": "login"], ["max_age": "0"], ["login_hint": "bob@contoso.com"]])
    func aSessionThatIsNotFreshEnoughSignsInAgain(_ change: [String: String]) async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            let browser = try await h.signedInBrowser()
            h.clock.advance(by: 5)
            var params = h.codeParameters(client, challenge: nil)
            for (key, value) in change { params[key] = value }
            let response = try await h.authorize(browser, params)
            let location = try #require(response.headers[.location])
            #expect(location.hasPrefix("/login"), "\(location)")
        }
    }

    @Test func promptNoneWithoutASessionIsLoginRequired() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            var params = h.codeParameters(client, challenge: nil)
            params["prompt"] = "none"
            let response = try await h.authorize(Browser(h.client), params)
            #expect(OIDCHarness.queryItem("error", in: response.headers[.location] ?? "") == "login_required")
        }
    }

    @Test func aLoginHintStartsTheSignInWithTheNameFilledIn() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            let browser = Browser(h.client)
            var params = h.codeParameters(client, challenge: nil)
            params["login_hint"] = "alice@contoso.com"
            let response = try await h.authorize(browser, params)
            #expect(response.headers[.location] == "/login/password")
            #expect(browser.cookies["tandem_flow"] != nil)
            try await browser.request("/login/password", method: .post, form: ["password": "correct horse"])
            let done = try await browser.request("/login/complete")
            #expect(done.headers[.location]?.hasPrefix("/oauth2/authorize/continue?request=") == true)
        }
    }

    @Test(arguments: ["https://evil.example.com/", "//evil.example.com/x", "/\\evil.example.com", "javascript:alert(1)"])
    func theSignInNeverReturnsToAnotherSite(_ target: String) async throws {
        try await OIDCHarness.run { h in
            let browser = Browser(h.client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com", "return_to": target])
            try await browser.request("/login/password", method: .post, form: ["password": "correct horse"])
            #expect(try await browser.request("/login/complete").headers[.location] == "/")
        }
    }
}
