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

/// Directory fixtures and an admin API client for the Graph tests.
struct GraphClient {
    let client: any TestClientProtocol
    let store: SQLStore
    let env: ServiceEnvironment
    /// The server's secret key, which seals the admin signing key.
    let secretKey: String

    init(_ store: SQLStore, _ client: any TestClientProtocol, secretKey: String? = nil) {
        self.client = client
        self.store = store
        self.secretKey = secretKey ?? OIDCSecretKey.processDefault
        self.env = ServiceEnvironment(storage: store, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                      passwords: BcryptPasswordHasher(cost: 4), clock: SystemClock(), random: SystemRandomSource(),
                                      settings: ServiceSettings(publicURL: "http://127.0.0.1"))
    }

    /// Creates a user holding `role` (or none) and returns a bearer token for them.
    func token(for upn: String, role: DirectoryRole?, lifetime: TimeInterval = 600) async throws -> String {
        let admin = DirectoryAdminService(env: env)
        let user: User
        if let existing = try await store.user(principalName: upn) { user = existing } else {
            user = try await admin.createUser(userPrincipalName: upn, displayName: nil, password: "password-\(upn)", accountEnabled: true, by: nil)
        }
        if let role { _ = try await store.assignRole(role.rawValue, userID: user.id) }
        let tokens = try await AdminTokens.load(storage: store, random: env.random, clock: env.clock, secretKey: secretKey)
        return try await tokens.issue(for: user, lifetime: lifetime, now: Date(), random: env.random)
    }

    @discardableResult
    func call(_ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
    }

    func json(_ method: HTTPRequest.Method, _ uri: String, token: String?, body: String? = nil) async throws -> [String: Any] {
        let response = try await call(method, uri, token: token, body: body)
        #expect(response.status == .ok, "\(uri): \(String(buffer: response.body))")
        return try #require(try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any])
    }

    /// A group with a chosen id (fixtures name Entra object ids).
    func group(id: String, name: String) async throws {
        try await store.insertGroup(Group(id: id, displayName: name, mailNickname: name, createdAt: Date()))
    }

    static func fixture(_ name: String) throws -> String {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/graph/\(name)")
        return try String(contentsOf: url, encoding: .utf8)
    }
}

extension TestResponse {
    var graphError: (code: String, message: String)? {
        guard let body = try? JSONDecoder().decode(ErrorBody.self, from: Data(buffer: body)) else { return nil }
        return (body.error.code, body.error.message)
    }
}
