import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
@testable import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The sign-in and security-info pages over HTTP: CSRF on every form, labels on every field,
/// verification codes, the outcome pages, the remembered method, deleting a device.
@Suite("Sign-in and security-info pages")
struct SignInPagesTests {
    /// Every form has a CSRF token and every visible field a label.
    static func checkForms(_ html: String, _ page: String) {
        let forms = html.matches(of: #/<form /#).count
        #expect(forms > 0, "\(page) has no form")
        #expect(html.matches(of: /<input type="hidden" name="csrf" value="[A-Za-z0-9_-]{43}">/).count == forms, "\(page): a form without a CSRF token")
        for field in html.matches(of: /<(?:input|select)[^>]*\bid="([^"]+)"[^>]*>/) where !field.0.contains(#"type="hidden""#) {
            #expect(html.contains(#"<label for="\#(field.1)""#), "\(page): #\(field.1) has no label")
        }
    }

    static func enableCodes(_ store: SQLStore) async throws {
        let env = ServiceEnvironment(storage: store, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                     passwords: BcryptPasswordHasher(cost: 4), clock: SystemClock(), random: SystemRandomSource(),
                                     settings: ServiceSettings(publicURL: "http://127.0.0.1"))
        var policy = try await PolicyService(env: env).authenticatorPolicy()
        policy.isSoftwareOathEnabled = true
        try await PolicyService(env: env).save(policy, by: nil)
    }

    /// Alice signed in (the returned browser) with a registered phone (its TOTP when codes are on).
    static func setUp(_ store: SQLStore, _ client: any TestClientProtocol, codes: Bool = false) async throws -> (Browser, TestPhone, TOTP?) {
        if codes { try await enableCodes(store) }
        let browser = Browser(client)
        // The password alone gives the registration interrupt (decision 0013); then a push sign-in.
        let phone = try await browser.registerAndSignIn()
        let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
        // The stored secret is sealed under the server's (this process's) secret key (decision 0027).
        var env = ServiceEnvironment(storage: store, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                     passwords: BcryptPasswordHasher(cost: 4), clock: SystemClock(), random: SystemRandomSource(),
                                     settings: ServiceSettings(publicURL: "http://127.0.0.1"))
        env.sealer = RadiusSecretBox(secretKey: nil, random: SystemRandomSource())
        let secret = try await store.totpCredentials(userID: alice.id).first.flatMap { VerificationCodeService(env: env).opened($0) }
        return (browser, phone, try secret.map { try TOTP(secret: $0) })
    }

    @Test("Every form carries a CSRF token and every field a label: username, password, approve, code, home, security info")
    func formsAndLabels() async throws {
        try await TestServer.run { store, client in
            let (signedIn, _, _) = try await Self.setUp(store, client, codes: true)
            let browser = Browser(client)
            let login = try await browser.request("/login")
            #expect(browser.cookies["tandem_csrf"] != nil)
            Self.checkForms(login.text, "login")
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            Self.checkForms(try await browser.request("/login/password").text, "password")
            #expect(try await browser.request("/login/password", method: .post, form: ["password": "correct horse"]).headers[.location] == "/login/approve")
            let approve = try await browser.request("/login/approve").text
            Self.checkForms(approve, "approve")
            #expect(approve.contains("I can't use my Authenticator app right now"))
            #expect(try await browser.request("/login/use-code", method: .post).headers[.location] == "/login/code")
            Self.checkForms(try await browser.request("/login/code").text, "code")
            Self.checkForms(try await signedIn.request("/").text, "home")
            Self.checkForms(try await signedIn.request("/mysecurityinfo").text, "security info")
        }
    }

    @Test("A form without its token, or with another browser's, is refused",
          arguments: ["/login", "/login/password", "/login/resend", "/login/use-password", "/login/passwordless", "/login/code",
                      "/mysecurityinfo/authenticator", "/mysecurityinfo/default-method", "/logout"])
    func csrfRefused(path: String) async throws {
        try await TestServer.run { store, client in
            let browser = Browser(client)
            if path.hasPrefix("/login/") {
                try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            } else if !path.hasPrefix("/login") {
                // A password-only session (not the registration interrupt, which has no session, decision 0013).
                try await TestServer.allowPasswordOnly(store, ["alice@contoso.com"])
                try await browser.signInWithPassword()
            } else {
                try await browser.request("/login")
            }
            let other = Browser(client)
            try await other.request("/login")
            browser.sendsCSRF = false
            for token in [nil, "forged", try await other.csrfToken(for: "/login")] {
                var form = ["username": "alice@contoso.com", "password": "correct horse", "code": "123456", "method": "push"]
                form["csrf"] = token
                let response = try await browser.request(path, method: .post, form: form)
                #expect(response.status == .forbidden, "\(path) with \(token ?? "no token"): \(response.status)")
                #expect(response.text.contains("Reload the page") || response.text.contains("did not come from this site"))
            }
        }
    }

    @Test("A verification code after the password signs in with otp; a reused or wrong code gets the page again with an error")
    func verificationCode() async throws {
        try await TestServer.run { store, client in
            let (_, _, generator) = try await Self.setUp(store, client, codes: true)
            let totp = try #require(generator)
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            let password = try await browser.request("/login/password")
            #expect(password.text.contains("Use a verification code"))
            #expect(try await browser.request("/login/choose-code", method: .post).headers[.location] == "/login/password")
            #expect(try await browser.request("/login/password").text.contains("you'll enter a code"))
            #expect(try await browser.request("/login/password", method: .post, form: ["password": "correct horse"]).headers[.location] == "/login/code")
            let wrong = try await browser.request("/login/code", method: .post, form: ["code": "12345x"])
            #expect(wrong.status == .unauthorized && wrong.text.contains("Check the code in your Authenticator app"))
            let code = totp.code(at: Date())
            #expect(try await browser.request("/login/code", method: .post, form: ["code": code]).headers[.location] == "/login/complete")
            #expect(try await browser.request("/login/complete").headers[.location] == "/")
            #expect(try await browser.request("/").text.contains("mfa, otp, pwd"))
            // The same code in a new sign-in: refused.
            let again = Browser(client)
            try await again.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await again.request("/login/password", method: .post, form: ["password": "correct horse"])
            try await again.request("/login/use-code", method: .post)
            let reused = try await again.request("/login/code", method: .post, form: ["code": code])
            #expect(reused.status == .unauthorized && reused.text.contains("already used"))
        }
    }

    @Test("Denied, wrong number and reported each get a clear page with the next step", arguments: ["denied", "wrongNumber", "reported"])
    func outcomes(outcome: String) async throws {
        try await TestServer.run { store, client in
            let (_, phone, _) = try await Self.setUp(store, client)
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await browser.request("/login/password", method: .post, form: ["password": "correct horse"])
            let status = try await browser.request("/login/status").json(PushChannelTests.StatusView.self)
            let offer = try #require(try await PushChannelTests.pending(phone, client).first)
            switch outcome {
            case "denied": _ = try await PushChannelTests.answer(phone, offer, .deny, client)
            case "reported": _ = try await PushChannelTests.answer(phone, offer, .report, client)
            default: _ = try await PushChannelTests.answer(phone, offer, .approve, number: status.number == "10" ? "11" : "10", client)
            }
            let page = try await browser.request("/login/approve").text
            let expected = ["denied": "Request denied", "wrongNumber": "The numbers didn&#39;t match", "reported": "Request reported"][outcome]!
            #expect(page.contains("<h1 id=\"heading\">\(expected)</h1>"), "\(page)")
            #expect(page.contains("data-outcome=\"\(outcome)\"") && !page.contains("id=\"number\""))
            #expect(page.contains("Send another request") == (outcome != "reported"))
        }
    }

    @Test("An expired request gets the timed-out page", .timeLimit(.minutes(1)))
    func expired() async throws {
        try await TestServer.run(challengeLifetime: 5, { store, client in
            _ = try await Self.setUp(store, client)
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await browser.request("/login/password", method: .post, form: ["password": "correct horse"])
            try await Task.sleep(for: .milliseconds(5_300))
            let page = try await browser.request("/login/approve").text
            #expect(page.contains("Request timed out") && page.contains("Send another request"))
        })
    }

    @Test("A phone sign-in sets the browser's method cookie, and the next sign-in starts with the phone")
    func rememberedMethod() async throws {
        try await TestServer.run { store, client in
            let (_, phone, _) = try await Self.setUp(store, client)
            #expect(try await PushChannelTests.enablePhoneSignIn(phone, client) == .ok)
            let browser = Browser(client)
            #expect(try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"]).headers[.location] == "/login/password")
            let page = try await browser.request("/login/password").text
            #expect(page.contains("Other ways to sign in") && page.contains("Approve a request on my Authenticator app"))
            #expect(try await browser.request("/login/passwordless", method: .post).headers[.location] == "/login/approve")
            let status = try await browser.request("/login/status").json(PushChannelTests.StatusView.self)
            let offer = try #require(try await PushChannelTests.pending(phone, client).first)
            #expect(offer.kind == .passwordless)
            _ = try await PushChannelTests.answer(phone, offer, .approve, number: status.number, client)
            #expect(try await browser.request("/login/complete").headers[.location] == "/")
            #expect(browser.cookies["tandem_signin_method"]?.hasPrefix("passwordless.") == true)
            #expect(try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"]).headers[.location] == "/login/approve")
            let approve = try await browser.request("/login/approve").text
            #expect(approve.contains("Use your password instead"))
        }
    }

    @Test("Security info lists the device, sets the default method, and deletes the device with its pending request")
    func securityInfo() async throws {
        try await TestServer.run { store, client in
            let (browser, phone, _) = try await Self.setUp(store, client, codes: true)
            let page = try await browser.request("/mysecurityinfo").text
            #expect(page.contains("Test phone") && page.contains("Phone sign-in") && page.contains("Authenticator – verification code"))
            #expect(try await browser.request("/mysecurityinfo/default-method", method: .post, form: ["method": "oath"]).headers[.location]
                    == "/mysecurityinfo?done=default")
            #expect(try await store.user(principalName: "alice@contoso.com")?.preferredMethod == "oath")
            #expect(try await browser.request("/mysecurityinfo/default-method", method: .post, form: ["method": "sms"]).status == .badRequest)
            // A sign-in in another browser is waiting on the phone when the phone is deleted.
            let other = Browser(client)
            try await other.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await other.request("/login/password", method: .post, form: ["password": "correct horse"])
            try await other.request("/login/use-notification", method: .post)
            let offer = try #require(try await PushChannelTests.pending(phone, client).first)
            let deleted = try await browser.request("/mysecurityinfo/devices/\(phone.deviceID)/delete", method: .post)
            #expect(deleted.headers[.location] == "/mysecurityinfo?done=deleted")
            #expect(try await other.request("/login/status").json(PushChannelTests.StatusView.self).state == "withdrawn")
            let answer = try await client.execute(uri: "/device/v1/challenges/\(offer.id)/answer", method: .post, headers: [.contentType: "application/json"],
                                                  body: ByteBuffer(bytes: try WireCoding.encoder().encode(phone.answer(offer, .approve, number: "10"))))
            #expect(answer.status == .unauthorized)
            let after = try await browser.request("/mysecurityinfo?done=deleted").text
            #expect(!after.contains("Test phone") && after.contains("The sign-in method was deleted."))
            #expect(try await browser.request("/mysecurityinfo/devices/\(phone.deviceID)/delete", method: .post).status == .notFound)
        }
    }
}
