import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The real application over a real SQLite file, with bcrypt at cost 4.
struct TestServer {
    static func run(
        challengeLifetime: Double = 120,
        _ test: @Sendable (SQLStore, any TestClientProtocol) async throws -> Void,
        mode: TestingSetup = .router
    ) async throws {
        try await run(configure: { $0.challengeLifetime = challengeLifetime }, mode: mode, test)
    }

    /// The same, with the configuration changed by `configure` first.
    static func run(
        configure: (inout TandemConfiguration) -> Void,
        mode: TestingSetup = .router,
        counter: StatementCounter? = nil,
        clock: any TandemClock = SystemClock(),
        _ test: @Sendable (SQLStore, any TestClientProtocol) async throws -> Void
    ) async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tandem-server-\(UUID().uuidString).sqlite").path
        let opened = try await SQLStore.openSQLite(path: path)
        // With a counter, everything the application sends is counted (the test's own reads too).
        let store = counter.map { opened.counted(by: $0) } ?? opened
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        do {
            let passwords = BcryptPasswordHasher(cost: 4)
            let env = ServiceEnvironment(storage: store, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                         passwords: passwords, clock: clock, random: SystemRandomSource(),
                                         settings: ServiceSettings(publicURL: "http://127.0.0.1"))
            _ = try await DirectoryService(env: env).addUser(userPrincipalName: "alice@contoso.com", displayName: "Alice", password: "correct horse")
            var config = TandemConfiguration(host: "127.0.0.1", port: 0, bcryptCost: 4)
            // HummingbirdTesting's live client opens its one connection before the test body runs, and a test
            // that first creates users and tokens may send nothing for longer than the 10 s header deadline when
            // 100 suites share 2 cores (CI saw "I/O on closed channel"). Tests of the deadlines set their own.
            config.connections = ConnectionLimits(perAddress: 256, headerTimeout: 300, idleTimeout: 3600)
            configure(&config)
            let app = try buildApplication(configuration: config, storage: store, passwords: passwords, clock: clock)
            try await app.test(mode) { client in try await test(store, client) }
        } catch {
            try? await opened.close()
            throw error
        }
        try await opened.close()
    }
}

/// A browser: keeps cookies between requests.
final class Browser: @unchecked Sendable {
    let client: any TestClientProtocol
    var cookies: [String: String] = [:]

    /// Whether POSTs carry the CSRF token a page would have given (`csrf`), as a browser's forms do.
    var sendsCSRF = true
    /// `__Host-` when the server's public URL is https (its cookies carry the prefix then).
    var cookiePrefix = ""

    init(_ client: any TestClientProtocol) { self.client = client }

    /// The token the page's form carries: the HMAC, under the server's key, of the cookie it is bound to (the username
    /// form's `tandem_csrf`, the flow cookie on the other sign-in pages, else the session cookie).
    func csrfToken(for path: String) async throws -> String {
        if path == "/login" || path.hasPrefix("/login?") {
            if cookies[cookiePrefix + "tandem_csrf"] == nil { try await request("/login") }
            return WebSecurity.csrfToken(cookie: cookies[cookiePrefix + "tandem_csrf"] ?? "")
        }
        return WebSecurity.csrfToken(cookie: cookies[cookiePrefix + (path.hasPrefix("/login/") ? "tandem_flow" : "tandem_session")] ?? "")
    }

    @discardableResult
    func request(_ uri: String, method: HTTPRequest.Method = .get, form: [String: String]? = nil, accept: String? = nil) async throws -> TestResponse {
        var form = form
        if method == .post, sendsCSRF, form?["csrf"] == nil, ["/login", "/mysecurityinfo", "/logout"].contains(where: { uri.hasPrefix($0) }) {
            form = (form ?? [:]).merging(["csrf": try await csrfToken(for: uri)]) { old, _ in old }
        }
        var headers: HTTPFields = [:]
        if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.joined(separator: "; ") }
        if let accept { headers[.accept] = accept }
        var body: ByteBuffer? = nil
        if let form {
            headers[.contentType] = "application/x-www-form-urlencoded"
            body = ByteBuffer(string: form.map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&"))
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: body)
        for value in response.headers[values: .setCookie] {
            let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1).map(String.init)
            guard pair.count == 2 else { continue }
            if pair[1].isEmpty { cookies[pair[0]] = nil } else { cookies[pair[0]] = pair[1] }
        }
        return response
    }

    /// Signs in with the password (user without an authenticator yet).
    func signInWithPassword() async throws {
        try await request("/login", method: .post, form: ["username": "alice@contoso.com"])
        let response = try await request("/login/password", method: .post, form: ["password": "correct horse"])
        #expect(response.headers[.location] == "/login/complete")
        try await request("/login/complete")
        #expect(cookies[cookiePrefix + "tandem_session"] != nil)
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }

    func json<T: Decodable>(_ type: T.Type) throws -> T {
        try WireCoding.decoder().decode(T.self, from: Data(buffer: body))
    }
}
