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

/// Decision 0013 over HTTP, from the attacker's side: guessing passwords, probing names, MFA that
/// must fail closed (no session, no OpenID Connect code), the empty target list, and a weak
/// session changing factors.
@Suite("Sign-in hardening over HTTP")
struct SignInHardeningPagesTests {
    /// The password page a browser gets after typing `name`, with the name and the CSRF token blanked.
    static func passwordPage(_ client: any TestClientProtocol, _ name: String) async throws -> String {
        let browser = Browser(client)
        let next = try await browser.request("/login", method: .post, form: ["username": name])
        #expect(next.headers[.location] == "/login/password", "\(name)")
        let page = try await browser.request("/login/password")
        #expect(page.status == .ok)
        return page.text.replacingOccurrences(of: name, with: "NAME")
            .replacing(/name="csrf" value="[^"]*"/, with: #"name="csrf" value="X""#)
    }

    @Test("The page after the name is the same for an unknown name, a user, a user with a pass and a user without a password")
    func samePageForEveryName() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let directory = DirectoryService(env: graph.env)
            let carol = try await directory.addUser(userPrincipalName: "carol@contoso.com", displayName: "Carol", password: "password-8")
            let dave = try await directory.addUser(userPrincipalName: "dave@contoso.com", displayName: "Dave", password: nil)
            for user in [carol, dave] { _ = try await TemporaryAccessPassService(env: graph.env).create(for: user, .init(), by: nil) }
            let unknown = try await Self.passwordPage(client, "nobody@contoso.com")
            #expect(unknown.contains("Enter password") && unknown.contains("use-app") && unknown.contains("use-code"))
            for name in ["alice@contoso.com", "carol@contoso.com", "dave@contoso.com"] {
                #expect(try await Self.passwordPage(client, name) == unknown, "\(name)'s page differs from an unknown name's")
            }
        }
    }

    @Test("350 wrong passwords then the right one: refused with a page that says to wait, logged 50053; a Temporary Access Pass gets in")
    func guessingOverHTTP() async throws {
        try await TestServer.run { store, client in
            // Every request of this test comes from one address; let the name's counter be the one that stops it.
            let graph = GraphClient(store, client)
            try await SignInThrottleService(env: graph.env).saveSettings(SignInProtectionSettings(ipBurst: 1000), by: nil)
            let attacker = Browser(client)
            try await attacker.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            var statuses: [HTTPResponse.Status] = []
            for i in 0..<350 {
                statuses.append(try await attacker.request("/login/password", method: .post, form: ["password": "guess-\(i)"]).status)
            }
            // Five free, then each checked guess doubles the wait (and the address runs out after 60).
            #expect(Array(statuses.prefix(5)) == Array(repeating: .unauthorized, count: 5))
            #expect(statuses.filter { $0 == .unauthorized }.count <= 12)
            #expect(statuses.allSatisfy { $0 == .unauthorized || $0 == .tooManyRequests })
            let right = try await attacker.request("/login/password", method: .post, form: ["password": "correct horse"])
            #expect(right.status == .tooManyRequests)
            #expect(right.text.contains("Too many incorrect attempts. Wait"))
            #expect(right.headers[.location] == nil)
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            let refused = try await store.signIns(limit: 400, before: nil).filter { $0.userID == alice.id && $0.errorCode == 50053 }
            #expect(!refused.isEmpty)
            // The user's pass still works and ends the wait.
            let env = ServiceEnvironment(storage: store, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                         passwords: BcryptPasswordHasher(cost: 4), clock: SystemClock(), random: SystemRandomSource(),
                                         settings: ServiceSettings(publicURL: "http://127.0.0.1"))
            let (_, pass) = try await TemporaryAccessPassService(env: env).create(for: alice, .init(), by: nil)
            #expect(try await attacker.request("/login/password", method: .post, form: ["password": pass]).headers[.location] == "/login/complete")
        }
    }

    @Test("A policy whose targets select nobody is refused on the admin page and by Graph, with a clear error")
    func emptySelectionRefused() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .authenticationPolicyAdministrator)
            try await graph.group(id: "22222222-0000-0000-0000-000000000001", name: "Pilot")
            try await TestServer.allowPasswordOnly(store, ["admin@contoso.com"])
            let before = try await PolicyService(env: graph.env).authenticatorPolicy()
            let admin = try await AdminPageTests.signIn(client, "admin@contoso.com", "password-admin@contoso.com")
            let page = try await admin.request("/admin/authenticator")
            let csrf = try #require(page.text.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1).description
            let saved = try await admin.request("/admin/authenticator", method: .post, form: ["csrf": csrf, "enabled": "on", "target": "groups"])
            #expect(saved.status == .badRequest)
            #expect(saved.text.contains("select at least one group"))
            #expect(!saved.text.contains("Your changes were saved."))
            let patched = try await graph.call(.patch, GraphPolicyTests.path, token: token, body: #"{"includeTargets": []}"#)
            #expect(patched.status == .badRequest)
            #expect(String(buffer: patched.body).contains("select at least one group"))
            #expect(try await PolicyService(env: graph.env).authenticatorPolicy() == before)
        }
    }

    @Test("A trusted-IP password session can neither add nor delete an authenticator: it is sent through a step-up sign-in first")
    func weakSessionCannotChangeFactors() async throws {
        try await TestServer.run(configure: { _ in }, mode: .live) { store, client in
            let browser = Browser(client)
            let phone = try await browser.registerAndSignIn()
            let env = ServiceEnvironment(storage: store, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                         passwords: BcryptPasswordHasher(cost: 4), clock: SystemClock(), random: SystemRandomSource(),
                                         settings: ServiceSettings(publicURL: "http://127.0.0.1"))
            try await PolicyService(env: env).saveLegacySettings(LegacyMFASettings(trustedIPRanges: ["127.0.0.0/8", "::1/128"]), by: nil)
            let attacker = Browser(client)
            try await attacker.signInWithPassword()   // trusted range: the password alone
            #expect(try await attacker.request("/").text.contains("pwd"))
            let add = try await attacker.request("/mysecurityinfo/authenticator", method: .post, accept: "application/json")
            #expect(add.status == .seeOther)
            #expect(add.headers[.location] == "/login/password" || add.headers[.location] == "/login/approve")
            let delete = try await attacker.request("/mysecurityinfo/devices/\(phone.deviceID)/delete", method: .post)
            #expect(delete.status == .seeOther && delete.headers[.location] != "/mysecurityinfo?done=deleted")
            #expect(try await store.device(id: phone.deviceID)?.state == .active)
            #expect(try await attacker.request("/mysecurityinfo").text.contains("Verify my identity"))
            // The step-up asks for the push even from the trusted range, then the deletion works.
            let stepUp = try await attacker.request("/mysecurityinfo/verify", method: .post)
            #expect(stepUp.headers[.location] == "/login/password")
            #expect(try await attacker.request("/login/password", method: .post, form: ["password": "correct horse"]).headers[.location] == "/login/approve")
        }
    }

    @Test("MFA that fails open in the policy gives no session and no OpenID Connect code, only the registration interrupt")
    func failClosedNoCode() async throws {
        try await OIDCHarness.run { h in
            let (client, _) = try await h.register()
            let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
            var policy = AuthenticatorPolicy.default
            policy.state = .disabled   // Alice's authenticator can't be used now
            try await PolicyService(env: h.env).save(policy, by: nil)
            let key = Base64URL.encode(Array(repeating: UInt8(4), count: 65))
            try await h.store.insertDevice(Device(id: UUID().uuidString, userID: alice.id, name: "Phone", appVersion: "1", deviceKey: key,
                                                  approvalKey: key, state: .active, createdAt: Date()))
            let browser = Browser(h.client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            #expect(try await browser.request("/login/password", method: .post, form: ["password": "correct horse"]).headers[.location] == "/login/complete")
            #expect(try await browser.request("/login/complete").headers[.location] == "/mysecurityinfo")
            #expect(try await browser.request("/mysecurityinfo").text.contains("More information required"))
            #expect(try await browser.request("/").headers[.location] == "/login")
            let response = try await h.authorize(browser, h.codeParameters(client, challenge: nil))
            let location = try #require(response.headers[.location])
            #expect(OIDCHarness.queryItem("code", in: location) == nil, "\(location)")
        }
    }
}
