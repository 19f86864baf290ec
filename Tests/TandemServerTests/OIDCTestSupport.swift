import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The real application on a real SQLite file with a manual clock, plus OIDC fixtures: registered
/// clients, a signed-in browser, PKCE, the token endpoint.
struct OIDCHarness {
    let store: SQLStore
    let client: any TestClientProtocol
    let clock: ManualClock
    let env: ServiceEnvironment
    /// The configured secret key (`nil`: the process default).
    var secretKey: String? = nil
    static let issuer = "http://127.0.0.1:0"
    static let redirect = "https://app.example.com/callback"

    /// `secretKey` `nil`: the process's default key (what `Browser` computes its CSRF tokens with).
    static func run(secretKey: String? = nil, path: String? = nil, live: Bool = false,
                    _ test: @Sendable (OIDCHarness) async throws -> Void) async throws {
        let file = path ?? FileManager.default.temporaryDirectory.appendingPathComponent("tandem-oidc-\(UUID().uuidString).sqlite").path
        let store = try await SQLStore.openSQLite(path: file)
        defer { if path == nil { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: file + suffix) } } }
        // A whole millisecond, as the SQL store keeps times: a time read back then equals the one written (a
        // sub-millisecond start made "session older than the request" and "pass not yet started" a coin toss).
        let clock = ManualClock(Date(timeIntervalSince1970: (Date().timeIntervalSince1970 * 1000).rounded() / 1000))
        do {
            let passwords = BcryptPasswordHasher(cost: 4)
            let env = ServiceEnvironment(storage: store, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                         passwords: passwords, clock: clock, random: SystemRandomSource(),
                                         settings: ServiceSettings(publicURL: issuer))
            if try await store.user(principalName: "alice@contoso.com") == nil {
                let alice = try await DirectoryService(env: env).addUser(userPrincipalName: "alice@contoso.com", displayName: "Alice", password: "correct horse")
                // Alice signs in with the password alone: the policy doesn't cover her (decision
                // 0013: a covered user without a second factor gets only the registration interrupt).
                var policy = try await PolicyService(env: env).authenticatorPolicy()
                policy.excludeTargets.append(.init(targetType: .user, id: alice.id))
                try await PolicyService(env: env).save(policy, by: nil)
            }
            var config = TandemConfiguration(host: "127.0.0.1", port: 0, bcryptCost: 4, geoipDirectory: nil)
            config.secretKey = secretKey
            let app = try buildApplication(configuration: config, storage: store, passwords: passwords, clock: clock)
            try await app.test(live ? .live : .router) { client in
                try await test(OIDCHarness(store: store, client: client, clock: clock, env: env, secretKey: secretKey))
            }
        } catch {
            try? await store.close()
            throw error
        }
        try await store.close()
    }

    /// Registers a client; returns it and its secret (for secret methods).
    func register(_ draft: OIDCClientDraft = OIDCClientDraft(displayName: "Payroll", redirectURIs: [redirect])) async throws -> (OIDCClient, String?) {
        try await OIDCClientRegistry(env: env).register(draft, by: nil)
    }

    var redirect: String { Self.redirect }

    /// A browser signed in with alice's password (she has no authenticator, so no push).
    func signedInBrowser() async throws -> Browser {
        let browser = Browser(client)
        try await browser.signInWithPassword()
        return browser
    }

    static func pkce() -> (verifier: String, challenge: String) {
        let verifier = SystemRandomSource().identifier(byteCount: 48)
        return (verifier, SecretDigest.of(verifier))
    }

    /// `/oauth2/authorize` with `params` (client_id and redirect_uri included by the caller).
    func authorize(_ browser: Browser, _ params: [String: String]) async throws -> TestResponse {
        let query = params.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await browser.request("/oauth2/authorize?" + query)
    }

    /// The standard parameters of a code request for `client`.
    func codeParameters(_ client: OIDCClient, challenge: String?, scope: String = "openid profile email offline_access") -> [String: String] {
        var params = ["client_id": client.clientID, "redirect_uri": redirect, "response_type": "code", "scope": scope,
                      "state": "state-123", "nonce": "nonce-456"]
        if let challenge {
            params["code_challenge"] = challenge
            params["code_challenge_method"] = "S256"
        }
        return params
    }

    /// Runs the authorization step with a signed-in browser and returns the code.
    func code(for client: OIDCClient, challenge: String?, browser: Browser? = nil, scope: String = "openid profile email offline_access") async throws -> String {
        let browser = if let browser { browser } else { try await signedInBrowser() }
        let response = try await authorize(browser, codeParameters(client, challenge: challenge, scope: scope))
        #expect(response.status == .found, "\(response.text)")
        let location = try #require(response.headers[.location])
        return try #require(Self.queryItem("code", in: location))
    }

    /// The hidden fields of a page's form (the consent page's `request` and `csrf`).
    static func hiddenFields(_ html: String) -> [String: String] {
        var fields: [String: String] = [:]
        let pattern = try! NSRegularExpression(pattern: #"<input type="hidden" name="([^"]+)" value="([^"]*)">"#)
        for match in pattern.matches(in: html, range: NSRange(html.startIndex..., in: html)) {
            guard let name = Range(match.range(at: 1), in: html), let value = Range(match.range(at: 2), in: html) else { continue }
            fields[String(html[name])] = String(html[value])
        }
        return fields
    }

    /// Answers a consent page as the person at the browser would (`allow` or `deny`), with the
    /// page's own CSRF token.
    func answerConsent(_ browser: Browser, page: TestResponse, decision: String) async throws -> TestResponse {
        var form = Self.hiddenFields(page.text)
        form["decision"] = decision
        return try await browser.request("/oauth2/authorize/consent", method: .post, form: form)
    }

    /// A code with the admin scope for `client` (enabled for it): the consent page is answered `allow`.
    func consentedCode(for client: OIDCClient, browser: Browser, scope: String = "openid tandem-admin") async throws -> String {
        let page = try await authorize(browser, codeParameters(client, challenge: nil, scope: scope))
        let answered = page.status == .ok ? try await answerConsent(browser, page: page, decision: "allow") : page
        #expect(answered.status == .found, "\(answered.text)")
        let location = try #require(answered.headers[.location])
        return try #require(Self.queryItem("code", in: location))
    }

    /// POSTs a form to a token-style endpoint, with Basic credentials when given.
    @discardableResult
    func post(_ path: String, _ form: [String: String], basic: (String, String)? = nil, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let (id, secret) = basic {
            let pair = "\(Self.encode(id)):\(Self.encode(secret))"
            headers[.authorization] = "Basic " + Data(pair.utf8).base64EncodedString()
        }
        for field in extra { headers[field.name] = field.value }
        let body = form.sorted { $0.key < $1.key }.map { "\(Self.encode($0.key))=\(Self.encode($0.value))" }.joined(separator: "&")
        return try await client.execute(uri: path, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    /// The code exchange for `client`, successful unless a test changes one thing.
    func exchange(_ code: String, verifier: String?, client: OIDCClient, secret: String?, changes: [String: String?] = [:]) async throws -> TestResponse {
        var form = ["grant_type": "authorization_code", "code": code, "redirect_uri": redirect]
        if let verifier { form["code_verifier"] = verifier }
        if client.isPublic { form["client_id"] = client.clientID }
        for (key, value) in changes { form[key] = value }
        return try await post("/oauth2/token", form, basic: secret.map { (client.clientID, $0) })
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any], "\(response.text)")
    }

    /// The OAuth error code of a response.
    static func error(_ response: TestResponse) -> String? {
        (try? json(response))?["error"] as? String
    }

    static func queryItem(_ name: String, in url: String) -> String? {
        URLComponents(string: url)?.queryItems?.first { $0.name == name }?.value
    }

    static func encode(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")) ?? ""
    }

    /// The claims part of a compact JWT.
    static func claims(_ jwt: String) throws -> [String: Any] {
        let part = String(jwt.split(separator: ".")[1])
        let bytes = try #require(Base64URL.decode(part))
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    static func header(_ jwt: String) throws -> [String: Any] {
        let bytes = try #require(Base64URL.decode(String(jwt.split(separator: ".")[0])))
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }
}
