import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemServices
import Testing
@testable import TandemServer

/// Decision 0027 over real HTTP, from the attacker's side: a sign-in for an OIDC request with
/// `acr_values=phr` knows the strength from its first page; a user with no passkey who proves MFA
/// (a Temporary Access Pass) gets the strength interrupt and nothing else — no session, no code,
/// completion refused however often it is asked for; a user with a passkey cannot use a password.
@Suite struct StrengthAwareSignInHTTPTests {
    /// The username page of the sign-in an authorization request with `acr_values` sends the browser to.
    static func startSignIn(_ h: OIDCHarness, _ browser: Browser, _ client: OIDCClient, acr: String) async throws -> String {
        var params = h.codeParameters(client, challenge: nil)
        params["acr_values"] = acr
        let location = try #require(try await h.authorize(browser, params).headers[.location])
        #expect(location.hasPrefix("/login?return_to="), "\(location)")
        let page = try await browser.request(location)
        let returnTo = try #require(OIDCHarness.hiddenFields(page.text)["return_to"])
        let next = try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com", "return_to": returnTo])
        #expect(next.headers[.location] == "/login/password")
        return returnTo
    }

    @Test func aPassHolderWithoutAPasskeyGetsOnlyTheStrengthInterrupt() async throws {
        try await OIDCHarness.run(live: true) { h in
            let (client, _) = try await h.register()
            let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
            let (_, pass) = try await TemporaryAccessPassService(env: h.env).create(for: alice, .init(), by: nil)
            let browser = Browser(h.client)
            let returnTo = try await Self.startSignIn(h, browser, client, acr: OIDCAssurance.phr)
            let page = try await browser.request("/login/password")
            #expect(page.text.contains("id=\"strength-notice\"") && page.text.contains("have one yet") && page.text.contains("id=\"password\""))

            let afterPass = try await browser.request("/login/password", method: .post, form: ["password": pass])
            #expect(afterPass.headers[.location] == "/login/complete")
            let interrupted = try await browser.request("/login/complete")
            #expect(interrupted.headers[.location] == "/login/enrol")
            #expect(browser.cookies["tandem_session"] == nil, "the interrupt is no session")
            // Completing again, by hand, is refused each time; nothing else signs the browser in.
            for _ in 0..<3 { #expect(try await browser.request("/login/complete").status == .forbidden) }
            #expect(try await browser.request("/").headers[.location] == "/login")
            let back = try await browser.request(returnTo)
            #expect(OIDCHarness.queryItem("code", in: back.headers[.location] ?? "") == nil)
            #expect(try await browser.request("/mysecurityinfo").headers[.location] == "/login")
            // The interrupt page; its registration endpoints need the flow's CSRF token.
            let enrol = try await browser.request("/login/enrol")
            #expect(enrol.status == .ok && enrol.text.contains("id=\"add-passkey\""))
            let cookie = browser.cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ")
            let forged = try await h.client.execute(uri: "/login/enrol/passkey/options", method: .post,
                                                    headers: [.cookie: cookie, .contentType: "application/json"],
                                                    body: ByteBuffer(string: #"{"csrf":"forged"}"#))
            #expect(forged.status == .forbidden)
            // Another browser (no flow) cannot reach the interrupt's endpoints at all.
            let stranger = try await h.client.execute(uri: "/login/enrol/passkey/options", method: .post,
                                                      headers: [.contentType: "application/json"], body: ByteBuffer(string: #"{"csrf":""}"#))
            #expect(stranger.status == .forbidden)
            #expect(try await Browser(h.client).request("/login/enrol").headers[.location] == "/login")
        }
    }

    @Test func aUserWithAPasskeyIsOfferedOnlyThePasskeyAndTheRightPasswordIsRefused() async throws {
        try await OIDCHarness.run(live: true) { h in
            let (client, _) = try await h.register()
            let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
            try await OIDCStrengthTests.addPasskey(h, alice, synced: false)
            let browser = Browser(h.client)
            _ = try await Self.startSignIn(h, browser, client, acr: OIDCAssurance.phishingResistant)
            let page = try await browser.request("/login/password")
            #expect(page.text.contains("Your organization requires a passkey to access this resource."))
            #expect(!page.text.contains("id=\"password\"") && page.text.contains("id=\"sign-in-passkey\""))
            for password in ["correct horse", "wrong"] {
                let refused = try await browser.request("/login/password", method: .post, form: ["password": password])
                #expect(refused.status == .forbidden, "\(password)")
            }
            #expect(try await browser.request("/login/passwordless", method: .post).status != .seeOther)
            let complete = try await browser.request("/login/complete")
            #expect(complete.status != .seeOther && browser.cookies["tandem_session"] == nil)
        }
    }
}
