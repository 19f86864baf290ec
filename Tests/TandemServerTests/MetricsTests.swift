import Foundation
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import Testing

@Suite("Metrics endpoint")
struct MetricsTests {
    /// The value of one sample line, e.g. `tandem_sign_ins_total{method="mfa",result="success"}`.
    static func sample(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }.flatMap { Double($0.split(separator: " ").last!) }
    }

    @Test("/metrics counts pushes sent and answered, the answer latency and sign-ins by method and result")
    func countsASignIn() async throws {
        try await TestServer.run(configure: { $0.metricsToken = Self.token }) { _, client in
            let browser = Browser(client)
            try await browser.signInWithPassword()
            let phone = try await PushChannelTests.registerPhone(browser)
            let signIn = Browser(client)
            try await signIn.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            #expect(try await signIn.request("/login/password", method: .post, form: ["password": "wrong"]).status == .unauthorized)
            try await signIn.request("/login/password", method: .post, form: ["password": "correct horse"])
            let number = try #require(try await signIn.request("/login/status").json(PushChannelTests.StatusView.self).number)
            let offer = try #require(try await PushChannelTests.pending(phone, client).first)
            #expect(try await PushChannelTests.answer(phone, offer, .approve, number: number, client).state == .approved)
            try await signIn.request("/login/complete")

            let response = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(Self.token)"])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain; version=0.0.4") == true)
            let text = String(buffer: response.body)
            // The first password sign-in was the registration interrupt (decision 0013), not a sign-in.
            #expect(Self.sample(text, #"tandem_sign_ins_total{method="password",result="success"}"#) == 0)
            #expect(Self.sample(text, #"tandem_sign_ins_total{method="mfa",result="success"}"#) == 1)
            #expect(Self.sample(text, #"tandem_sign_ins_total{method="password",result="wrongPassword"}"#) == 1)
            #expect(Self.sample(text, #"tandem_sign_ins_total{method="passwordless",result="success"}"#) == 0)
            #expect(Self.sample(text, #"tandem_pushes_sent_total{kind="registration"}"#) == 1)
            #expect(Self.sample(text, #"tandem_pushes_sent_total{kind="mfa"}"#) == 1)
            #expect(Self.sample(text, #"tandem_pushes_answered_total{kind="mfa",state="approved"}"#) == 1)
            #expect(Self.sample(text, "tandem_challenge_answer_seconds_count") == 2)
            #expect(Self.sample(text, "tandem_connected_devices") == 0)
            #expect(text.contains("# TYPE tandem_challenge_answer_seconds histogram"))
        }
    }

    static let token = "metrics-token-0123456789"

    @Test("/metrics refuses a scraper without the token, or with another, and is off when no token is configured",
          arguments: [nil, "Bearer wrong-token-0123456789", "Basic \(Self.token)", "Bearer \(Self.token)x", "Bearer "])
    func refusesWithoutTheToken(authorization: String?) async throws {
        try await TestServer.run(configure: { $0.metricsToken = Self.token }) { _, client in
            let headers: HTTPFields = authorization.map { [.authorization: $0] } ?? [:]
            let response = try await client.execute(uri: "/metrics", method: .get, headers: headers)
            #expect(response.status == .unauthorized)
            #expect(!String(buffer: response.body).contains("tandem_sign_ins_total"))
        }
        try await TestServer.run(configure: { _ in }) { _, client in
            let response = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: "Bearer \(Self.token)"])
            #expect(response.status == .notFound)
        }
    }
}
