import Foundation
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import Testing

/// Issue 10, finding 13: the browser-facing defences every response and cookie carries.
@Suite("Web hardening: security headers, __Host- cookies, keyed CSRF tokens")
struct WebHardeningTests {
    @Test("Every response carries a CSP without inline script or style, nosniff, no framing and no referrer",
          arguments: ["/login", "/health", "/no-such-page", "/static/sign-in-wait.js", "/mysecurityinfo"])
    func securityHeaders(path: String) async throws {
        try await TestServer.run({ _, client in
            let response = try await client.execute(uri: path, method: .get)
            let csp = try #require(response.headers[.contentSecurityPolicy])
            #expect(csp.contains("script-src 'self'"))
            #expect(csp.contains("style-src 'self'"))
            #expect(csp.contains("frame-ancestors 'none'"))
            #expect(!csp.contains("unsafe-inline"))
            #expect(response.headers[.init("X-Content-Type-Options")!] == "nosniff")
            #expect(response.headers[.init("X-Frame-Options")!] == "DENY")
            #expect(response.headers[.init("Referrer-Policy")!] == "no-referrer")
            #expect(response.headers[.strictTransportSecurity] == nil, "HSTS only when the public URL is https")
        })
    }

    @Test("The pages hold no inline script or style, so the CSP can forbid them; their scripts are served as modules")
    func noInlineScript() async throws {
        try await TestServer.run({ _, client in
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            var pages = [try await browser.request("/login").text]
            try await browser.signInWithPassword()
            for path in ["/", "/mysecurityinfo"] { pages.append(try await browser.request(path).text) }
            for html in pages {
                #expect(html.matches(of: /<script(?![^>]*\bsrc=)[^>]*>/).isEmpty, "inline script in \(html.prefix(200))")
                #expect(!html.contains("<style"))
                #expect(!html.contains(" style=\""))
                #expect(!html.contains(" onclick="))
            }
            let script = try await client.execute(uri: "/static/sign-in-wait.js", method: .get)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType]?.hasPrefix("text/javascript") == true)
            #expect(String(buffer: script.body).contains("EventSource('/login/events')"))
            #expect(try await client.execute(uri: "/static/../Package.swift", method: .get).status == .notFound)
        })
    }

    @Test("Behind https the cookies are __Host- and Secure, HSTS is sent, and a planted cookie without the prefix is ignored")
    func hostPrefixedCookies() async throws {
        try await TestServer.run(configure: { $0.publicURL = "https://login.contoso.com" }) { _, client in
            let login = try await client.execute(uri: "/login", method: .get)
            #expect(login.headers[.strictTransportSecurity] == "max-age=31536000")
            let setCookie = try #require(login.headers[values: .setCookie].first)
            #expect(setCookie.hasPrefix("__Host-tandem_csrf="))
            #expect(setCookie.localizedCaseInsensitiveContains("secure"))
            #expect(setCookie.localizedCaseInsensitiveContains("path=/"))
            #expect(!setCookie.localizedCaseInsensitiveContains("domain="))

            let browser = Browser(client)
            browser.cookiePrefix = "__Host-"
            try await browser.signInWithPassword()
            let session = try #require(browser.cookies["__Host-tandem_session"])
            #expect(try await browser.request("/mysecurityinfo").status == .ok)

            // The same value under the unprefixed name (what a sibling subdomain or an http page can set) is not a session.
            let planted = try await client.execute(uri: "/mysecurityinfo", method: .get, headers: [.cookie: "tandem_session=\(session)"])
            #expect(planted.status != .ok)
            #expect(planted.headers[.location]?.hasPrefix("/login") == true)
        }
    }

    @Test("A CSRF token is an HMAC under the server's key: the unkeyed digest of a planted cookie is refused")
    func keyedCSRF() async throws {
        try await TestServer.run({ _, client in
            // An attacker who can plant the username form's cookie knows its value; with the old
            // unkeyed token (SHA-256 of "csrf|" + cookie) he could forge the form.
            let planted = String(repeating: "a", count: 43)
            let forged = SecretDigest.of("csrf|" + planted)
            let headers: HTTPFields = [.cookie: "tandem_csrf=\(planted)", .contentType: "application/x-www-form-urlencoded"]
            let refused = try await client.execute(uri: "/login", method: .post, headers: headers,
                                                   body: ByteBuffer(string: "username=alice%40contoso.com&csrf=\(forged)"))
            #expect(refused.status == .forbidden)

            // The page's own token for that cookie is accepted, and it is not the unkeyed digest.
            let page = try await client.execute(uri: "/login", method: .get, headers: [.cookie: "tandem_csrf=\(planted)"])
            let token = try #require(String(buffer: page.body).firstMatch(of: /name="csrf" value="([^"]+)"/)?.1).description
            #expect(token != forged)
            let accepted = try await client.execute(uri: "/login", method: .post, headers: headers,
                                                    body: ByteBuffer(string: "username=alice%40contoso.com&csrf=\(token)"))
            #expect(accepted.status != .forbidden)
        })
        #expect(WebSecurity.csrfToken(cookie: "c", secretKey: "first-secret-key-0123456789abcdefghij")
                != WebSecurity.csrfToken(cookie: "c", secretKey: "second-secret-key-0123456789abcdefghi"))
        #expect(WebSecurity.csrfToken(cookie: "c", secretKey: "first-secret-key-0123456789abcdefghij")
                == WebSecurity.csrfToken(cookie: "c", secretKey: "first-secret-key-0123456789abcdefghij"))
    }
}
