import Crypto
import Foundation
import JWTKit
import TandemCore
@testable import TandemServer
import TandemServices
import TandemTesting
import Testing

@Suite("Web Push sender: VAPID, answers, the endpoint rule over DNS")
struct WebPushSenderTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    struct Claims: JWTPayload {
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var sub: SubjectClaim
        func verify(using algorithm: some JWTAlgorithm) async throws {}
    }

    @Test("The VAPID header is 'vapid t=<ES256 JWT>, k=<public key>' with aud, exp at most 24 h ahead and sub, verified by jwt-kit")
    func vapid() async throws {
        let key = P256.Signing.PrivateKey()
        let header = try VAPIDAuthorization.header(audience: "https://push.example.net", subject: "mailto:it@example.com", key: key, now: Self.now)
        #expect(header.hasPrefix("vapid t="))
        let parts = header.dropFirst("vapid ".count).components(separatedBy: ", ")
        #expect(parts.count == 2)
        let token = String(try #require(parts.first).dropFirst(2))
        #expect(parts.last == "k=" + Base64URL.encode(key.publicKey.x963Representation))
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PublicKey(backing: key.publicKey))
        let claims = try await keys.verify(token, as: Claims.self)
        #expect(claims.aud.value == ["https://push.example.net"])
        #expect(claims.sub.value == "mailto:it@example.com")
        #expect(claims.exp.value > Self.now && claims.exp.value <= Self.now.addingTimeInterval(86_400))
        let other = JWTKeyCollection()
        await other.add(ecdsa: try ES256PublicKey(backing: P256.Signing.PrivateKey().publicKey))
        await #expect(throws: (any Error).self) { try await other.verify(token, as: Claims.self) }
    }

    @Test("Push service answers map to sent, gone, retry or refused", arguments: [
        (201, WebPushSender.Outcome.sent(201)), (202, .sent(202)), (200, .sent(200)), (404, .gone(404)), (410, .gone(410)),
        (429, .retry(429, retryAfter: nil)), (500, .retry(500, retryAfter: nil)), (503, .retry(503, retryAfter: nil)),
        (400, .refused(400)), (401, .refused(401)), (403, .refused(403)), (413, .refused(413)), (301, .refused(301)),
    ])
    func outcomes(status: Int, outcome: WebPushSender.Outcome) {
        #expect(WebPushSender.outcome(status: status, retryAfter: nil, now: Self.now) == outcome)
    }

    @Test("Retry-After is read as seconds or as an HTTP date")
    func retryAfter() {
        #expect(WebPushSender.retryAfter("7", now: Self.now) == 7)
        #expect(WebPushSender.retryAfter(" 0 ", now: Self.now) == 0)
        // 1_800_000_000 is Fri, 15 Jan 2027 08:00:00 GMT
        #expect(WebPushSender.retryAfter("Fri, 15 Jan 2027 08:00:30 GMT", now: Self.now) == 30)
        #expect(WebPushSender.retryAfter("Fri, 15 Jan 2027 07:00:00 GMT", now: Self.now) == 0)
        #expect(WebPushSender.retryAfter("-3", now: Self.now) == nil)
        #expect(WebPushSender.retryAfter("soon", now: Self.now) == nil)
        #expect(WebPushSender.outcome(status: 429, retryAfter: "12", now: Self.now) == .retry(429, retryAfter: 12))
    }

    static func check(_ endpoint: String, resolvesTo addresses: [String], allowLoopback: Bool = false) async throws {
        let resolver = WebPushEndpointResolver(allowLoopback: allowLoopback, resolve: { _ in addresses })
        try await resolver.check(try WebPushEndpoint.parse(endpoint, allowHTTP: allowLoopback))
    }

    @Test("A host is refused if any address it resolves to is not public (a DNS name pointing inside is caught)")
    func resolvedHosts() async throws {
        try await Self.check("https://push.example.net/1", resolvesTo: ["142.250.185.10", "2a00:1450:4001::200e"])
        for inside in [["10.0.0.5"], ["142.250.185.10", "192.168.0.1"], ["fd00::5"], ["169.254.169.254"], []] {
            await #expect(throws: TandemError.self, "\(inside)") { try await Self.check("https://push.example.net/1", resolvesTo: inside) }
        }
        await #expect(throws: TandemError.self) { try await Self.check("https://localhost/1", resolvesTo: ["127.0.0.1", "::1"]) }
    }

    @Test("The test option allows loopback, and http only for loopback; private stays refused")
    func loopbackOption() async throws {
        try await Self.check("http://localhost:9/1", resolvesTo: ["127.0.0.1"], allowLoopback: true)
        try await Self.check("https://127.0.0.1/1", resolvesTo: ["127.0.0.1"], allowLoopback: true)
        await #expect(throws: TandemError.self) { try await Self.check("http://push.example.net/1", resolvesTo: ["142.250.185.10"], allowLoopback: true) }
        await #expect(throws: TandemError.self) { try await Self.check("https://10.0.0.1/1", resolvesTo: ["10.0.0.1"], allowLoopback: true) }
    }

    @Test("The system resolver finds loopback for localhost and returns literals as they are")
    func systemResolver() async {
        #expect(await WebPushEndpointResolver.systemAddresses(of: "10.1.2.3") == ["10.1.2.3"])
        let localhost = await WebPushEndpointResolver.systemAddresses(of: "localhost")
        #expect(!localhost.isEmpty && localhost.allSatisfy { WebPushEndpoint.classify($0) == .loopback }, "\(localhost)")
        #expect(await WebPushEndpointResolver.systemAddresses(of: "does-not-resolve.invalid").isEmpty)
    }

    @Test("The VAPID key is made once, sealed in the store, and the same after a reload; another secret key cannot open it")
    func vapidKeyIsSealed() async throws {
        let storage = InMemoryStorage()
        let secret = String(repeating: "s", count: 40)
        let keys = VAPIDKeys(storage: storage, secretKey: secret, random: SystemRandomSource(), clock: ManualClock(Self.now))
        let first = try await keys.publicKey()
        #expect(try await keys.publicKey() == first)
        let stored = try await storage.signingKeys(purpose: "vapid")
        #expect(stored.count == 1)
        let raw = try await keys.key().rawRepresentation
        #expect(stored[0].privateKey.hasPrefix("v1.") && !stored[0].privateKey.contains(Base64URL.encode(raw)))
        let reloaded = VAPIDKeys(storage: storage, secretKey: secret, random: SystemRandomSource(), clock: ManualClock(Self.now))
        #expect(try await reloaded.publicKey() == first)
        #expect(try await StoredKeyCheck.unreadableKeys(storage: storage, secretKey: String(repeating: "t", count: 40)).map(\.purpose) == ["vapid"])
    }
}
