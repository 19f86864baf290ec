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

/// The policy drives what the real server offers and accepts, changed through the Graph API and
/// observed through the browser's HTTP requests and the device API.
@Suite("Policy enforcement over HTTP")
struct PolicyEnforcementTests {
    static let path = GraphPolicyTests.path

    /// alice with a registered phone that has phone sign-in on; returns the phone and an admin token.
    static func setUp(_ store: SQLStore, _ client: any TestClientProtocol) async throws -> (TestPhone, String, GraphClient) {
        let graph = GraphClient(store, client)
        let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
        let browser = Browser(client)
        try await browser.signInWithPassword()
        let phone = try await PushChannelTests.registerPhone(browser)
        #expect(try await PushChannelTests.enablePhoneSignIn(phone, client) == .ok)
        // Alice has signed in with her phone before, so the next sign-in starts with it (decision 0010).
        let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
        try await store.setLastSignInMethod(userID: alice.id, method: SignInService.LastMethod.passwordless)
        return (phone, token, graph)
    }

    /// Where the username and then the password lead.
    static func offers(_ client: any TestClientProtocol) async throws -> (afterUsername: String, afterPassword: String) {
        let browser = Browser(client)
        let first = try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"]).headers[.location] ?? ""
        if first == "/login/approve" {
            try await browser.request("/login/use-password", method: .post)
        }
        let second = try await browser.request("/login/password", method: .post, form: ["password": "correct horse"]).headers[.location] ?? ""
        return (first, second)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let patch: String
        let afterUsername: String
        let afterPassword: String
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "any: passwordless first, push after a password", patch: #"{"includeTargets": [{"targetType": "group", "id": "all_users", "authenticationMode": "any"}]}"#,
             afterUsername: "/login/approve", afterPassword: "/login/approve"),
        Case(name: "push: no passwordless, push after the password", patch: #"{"includeTargets": [{"targetType": "group", "id": "all_users", "authenticationMode": "push"}]}"#,
             afterUsername: "/login/password", afterPassword: "/login/approve"),
        Case(name: "deviceBasedPush: passwordless only", patch: #"{"includeTargets": [{"targetType": "group", "id": "all_users", "authenticationMode": "deviceBasedPush"}]}"#,
             afterUsername: "/login/approve", afterPassword: "/login/complete"),
        Case(name: "excluded user: nothing, exclusion beats inclusion", patch: #"{"excludeTargets": [{"targetType": "user", "id": "ALICE"}]}"#,
             afterUsername: "/login/password", afterPassword: "/login/complete"),
        Case(name: "disabled: nothing", patch: #"{"state": "disabled"}"#, afterUsername: "/login/password", afterPassword: "/login/complete"),
        Case(name: "user targeted directly", patch: #"{"includeTargets": [{"targetType": "user", "id": "ALICE", "authenticationMode": "push"}]}"#,
             afterUsername: "/login/password", afterPassword: "/login/approve"),
        Case(name: "another user targeted: nothing", patch: #"{"includeTargets": [{"targetType": "user", "id": "ADMIN", "authenticationMode": "any"}]}"#,
             afterUsername: "/login/password", afterPassword: "/login/complete"),
    ]

    @Test("Each targeting rule and mode changes what the sign-in offers, at the next sign-in", arguments: cases)
    func offers(c: Case) async throws {
        try await TestServer.run { store, client in
            let (_, token, graph) = try await Self.setUp(store, client)
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            let admin = try #require(try await store.user(principalName: "admin@contoso.com"))
            let body = c.patch.replacingOccurrences(of: "ALICE", with: alice.id).replacingOccurrences(of: "ADMIN", with: admin.id)
            let patched = try await graph.call(.patch, Self.path, token: token, body: body)
            #expect(patched.status == .noContent, "\(String(buffer: patched.body))")
            let result = try await Self.offers(client)
            #expect(result.afterUsername == c.afterUsername)
            #expect(result.afterPassword == c.afterPassword)
        }
    }

    @Test("Group targeting follows nested membership")
    func nestedGroups() async throws {
        try await TestServer.run { store, client in
            let (_, token, graph) = try await Self.setUp(store, client)
            try await graph.group(id: "11111111-0000-0000-0000-000000000001", name: "Pilot")
            try await graph.group(id: "11111111-0000-0000-0000-000000000002", name: "Ring 1")
            let patch = #"{"includeTargets": [{"targetType": "group", "id": "11111111-0000-0000-0000-000000000001", "authenticationMode": "push"}]}"#
            #expect(try await graph.call(.patch, Self.path, token: token, body: patch).status == .noContent)
            #expect(try await Self.offers(client).afterPassword == "/login/complete")
            let alice = try #require(try await store.user(principalName: "alice@contoso.com"))
            func ref(_ id: String) -> String { #"{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/\#(id)"}"# }
            #expect(try await graph.call(.post, "/v1.0/groups/11111111-0000-0000-0000-000000000002/members/$ref", token: token, body: ref(alice.id)).status == .noContent)
            #expect(try await graph.call(.post, "/v1.0/groups/11111111-0000-0000-0000-000000000001/members/$ref", token: token,
                                         body: ref("11111111-0000-0000-0000-000000000002")).status == .noContent)
            #expect(try await Self.offers(client).afterPassword == "/login/approve")
        }
    }

    @Test("A request in flight is refused when the policy turns the method off before the answer")
    func answerRefusedAfterChange() async throws {
        try await TestServer.run { store, client in
            let (phone, token, graph) = try await Self.setUp(store, client)
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            let status = try await browser.request("/login/status").json(PushChannelTests.StatusView.self)
            let offer = try #require(try await PushChannelTests.pending(phone, client).first)
            #expect(try await graph.call(.patch, Self.path, token: token, body: #"{"state": "disabled"}"#).status == .noContent)
            let body = try WireCoding.encoder().encode(phone.answer(offer, .approve, number: status.number))
            let answer = try await client.execute(uri: "/device/v1/challenges/\(offer.id)/answer", method: .post,
                                                  headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
            #expect(answer.status == .forbidden)
            #expect(try await PushChannelTests.pending(phone, client).isEmpty)
        }
    }

    @Test("Feature settings and number settings shape the request the phone sees")
    func requestShape() async throws {
        try await TestServer.run { store, client in
            let (phone, token, graph) = try await Self.setUp(store, client)
            let patch = """
                {"featureSettings": {"displayAppInformationRequiredState": {"state": "disabled"},
                                     "displayLocationInformationRequiredState": {"state": "enabled"}},
                 "tandemNumberDigits": 6, "tandemNumberPresentation": "chooseFromThree"}
                """
            #expect(try await graph.call(.patch, Self.path, token: token, body: patch).status == .noContent)
            let browser = Browser(client)
            try await browser.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            let status = try await browser.request("/login/status").json(PushChannelTests.StatusView.self)
            let number = try #require(status.number)
            #expect(number.count == 6)
            let offer = try #require(try await PushChannelTests.pending(phone, client).first)
            #expect(offer.context.application.isEmpty)
            #expect(offer.context.location == "Unknown location")
            let choices = try #require(offer.choices)
            #expect(choices.count == 3 && choices.contains(number))
            let verdict = try await PushChannelTests.answer(phone, offer, .approve, number: number, client)
            #expect(verdict.state == .approved)
        }
    }
}
