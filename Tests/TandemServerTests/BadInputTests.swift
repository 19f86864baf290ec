import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemTesting
import Testing

@Suite("Bad input over HTTP")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let method: HTTPRequest.Method
        let uri: String
        let body: String?
        let headers: [String: String]
        let status: Int
        var testDescription: String { name }
    }

    static let unknownCodeBody = String(decoding: (try? WireCoding.encoder().encode(TestPhone().activation(code: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))) ?? Data(), as: UTF8.self)

    static let cases: [Case] = [
        Case(name: "activate with invalid JSON", method: .post, uri: "/device/v1/activate", body: "{not json", headers: [:], status: 400),
        Case(name: "activate with a missing field", method: .post, uri: "/device/v1/activate", body: #"{"code":"X"}"#, headers: [:], status: 400),
        Case(name: "activate with a wrong type", method: .post, uri: "/device/v1/activate", body: #"{"code":1,"deviceName":"p","appVersion":"1","deviceKey":"a","approvalKey":"b"}"#, headers: [:], status: 400),
        Case(name: "activate with an unknown code", method: .post, uri: "/device/v1/activate",
             body: unknownCodeBody,
             headers: [:], status: 401),
        Case(name: "answer to an unknown request", method: .post, uri: "/device/v1/challenges/AAAAAAAAAAAAAAAAAAAAAA/answer",
             body: #"{"deviceId":"x","decision":"approve","number":"42","signature":"AAAA"}"#, headers: [:], status: 404),
        Case(name: "answer with an unknown decision", method: .post, uri: "/device/v1/challenges/AAAAAAAAAAAAAAAAAAAAAA/answer",
             body: #"{"deviceId":"x","decision":"maybe","signature":"AAAA"}"#, headers: [:], status: 400),
        Case(name: "answer with an empty body", method: .post, uri: "/device/v1/challenges/x/answer", body: "", headers: [:], status: 400),
        Case(name: "pending without signature headers", method: .get, uri: "/device/v1/pending", body: nil, headers: [:], status: 401),
        Case(name: "pending with a garbage signature", method: .get, uri: "/device/v1/pending", body: nil,
             headers: ["X-Tandem-Device": "abc", "X-Tandem-Time": "\(Int(Date().timeIntervalSince1970))", "X-Tandem-Signature": "!!"], status: 401),
        Case(name: "pending with a non-numeric time", method: .get, uri: "/device/v1/pending", body: nil,
             headers: ["X-Tandem-Device": "abc", "X-Tandem-Time": "soon", "X-Tandem-Signature": "AAAA"], status: 401),
        Case(name: "phone sign-in unsigned", method: .post, uri: "/device/v1/phone-sign-in", body: "{}", headers: [:], status: 401),
        Case(name: "an oversized body", method: .post, uri: "/device/v1/activate", body: String(repeating: "a", count: 200_000), headers: [:], status: 413),
        Case(name: "an unknown device path", method: .get, uri: "/device/v1/nothing", body: nil, headers: [:], status: 404),
        Case(name: "login status without a flow", method: .get, uri: "/login/status", body: nil, headers: [:], status: 401),
        Case(name: "security info status without a session", method: .get, uri: "/mysecurityinfo/authenticator/x/status", body: nil, headers: [:], status: 401),
    ]

    @Test("Each bad request gets a 4xx with a JSON error body", arguments: cases)
    func badRequest(c: Case) async throws {
        try await TestServer.run { _, client in
            var headers: HTTPFields = [.contentType: "application/json"]
            for (name, value) in c.headers { headers[HTTPField.Name(name)!] = value }
            let response = try await client.execute(uri: c.uri, method: c.method, headers: headers, body: c.body.map { ByteBuffer(string: $0) })
            #expect(response.status.code == c.status, "\(c.name): \(String(buffer: response.body))")
            let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
            #expect(!body.error.code.isEmpty && !body.error.message.isEmpty)
        }
    }

    @Test("Pages answer bad forms with a page, not a crash")
    func pages() async throws {
        try await TestServer.run { _, client in
            let browser = Browser(client)
            let empty = try await browser.request("/login", method: .post, form: ["username": ""])
            #expect(empty.status == .badRequest)
            #expect(empty.text.contains("Enter a valid username"))
            let noFlow = try await browser.request("/login/password")
            #expect(noFlow.status == .unauthorized)
            #expect(noFlow.text.contains("Start again"))
            let complete = try await browser.request("/login/complete")
            #expect(complete.status == .unauthorized)
        }
    }

    @Test("A wrong password and an unknown user read the same")
    func noEnumeration() async throws {
        try await TestServer.run { _, client in
            let known = Browser(client)
            try await known.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            let wrong = try await known.request("/login/password", method: .post, form: ["password": "nope"])
            let unknown = Browser(client)
            let start = try await unknown.request("/login", method: .post, form: ["username": "mallory@contoso.com"])
            #expect(start.headers[.location] == "/login/password")
            let missing = try await unknown.request("/login/password", method: .post, form: ["password": "nope"])
            #expect(wrong.status == missing.status)
            // The same page but for the name and the flow's own CSRF token.
            func neutral(_ text: String, _ name: String) -> String {
                text.replacingOccurrences(of: name, with: "X").replacing(/name="csrf" value="[^"]*"/, with: "csrf")
            }
            #expect(neutral(wrong.text, "alice") == neutral(missing.text, "mallory"))
        }
    }
}
