import Crypto
import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdTesting
import HummingbirdWSTesting
import NIOCore
import TandemCore
import TandemStore
import TandemTesting
import Testing

@Suite("Push channel over a real WebSocket")
struct PushChannelTests {
    /// Registers a phone through the real HTTP API and approves its confirmation.
    static func registerPhone(_ browser: Browser) async throws -> TestPhone {
        var phone = TestPhone()
        let created = try await browser.request("/mysecurityinfo/authenticator", method: .post, accept: "application/json")
        #expect(created.status == .created)
        let activation = try created.json([String: String].self)
        let code = try #require(activation["code"])
        let body = try WireCoding.encoder().encode(phone.activation(code: code))
        let registered = try await browser.client.execute(uri: "/device/v1/activate", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
        #expect(registered.status == .created)
        phone.deviceID = try registered.json(ActivationResponse.self).deviceId
        let status = try await browser.request("/mysecurityinfo/authenticator/\(activation["activationId"]!)/status").json(RegistrationStatusView.self)
        #expect(status.state == "confirming")
        let offer = try #require(try await pending(phone, browser.client).first)
        let verdict = try await answer(phone, offer, .approve, number: try #require(status.number), browser.client)
        #expect(verdict.state == .approved)
        return phone
    }

    struct RegistrationStatusView: Decodable { let state: String; let number: String? }

    static func pending(_ phone: TestPhone, _ client: any TestClientProtocol) async throws -> [ChallengeOffer] {
        var headers: HTTPFields = [:]
        for (name, value) in try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: Date()) {
            headers[HTTPField.Name(name)!] = value
        }
        let response = try await client.execute(uri: "/device/v1/pending", method: .get, headers: headers, body: nil)
        #expect(response.status == .ok)
        return try response.json(PendingResponse.self).requests
    }

    static func answer(_ phone: TestPhone, _ offer: ChallengeOffer, _ decision: AnswerDecision, number: String? = nil,
                       _ client: any TestClientProtocol) async throws -> AnswerResponse {
        let body = try WireCoding.encoder().encode(phone.answer(offer, decision, number: number))
        let response = try await client.execute(uri: "/device/v1/challenges/\(offer.id)/answer", method: .post,
                                                headers: [.contentType: "application/json"], body: ByteBuffer(bytes: body))
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try response.json(AnswerResponse.self)
    }

    /// Sends one signed device request (version 2 headers over `body`).
    static func signed(_ phone: TestPhone, _ method: HTTPRequest.Method, _ path: String, body: [UInt8] = [],
                       _ client: any TestClientProtocol) async throws -> TestResponse {
        var headers: HTTPFields = body.isEmpty ? [:] : [.contentType: "application/json"]
        for (name, value) in try phone.signedHeaders(method: method.rawValue, path: path, time: Date(), body: body) {
            headers[HTTPField.Name(name)!] = value
        }
        return try await client.execute(uri: path, method: method, headers: headers, body: body.isEmpty ? nil : ByteBuffer(bytes: body))
    }

    /// A fresh key-change nonce for the phone (`POST /device/v1/key-change-nonce`).
    static func keyChangeNonce(_ phone: TestPhone, _ client: any TestClientProtocol) async throws -> String {
        let response = try await signed(phone, .post, "/device/v1/key-change-nonce", client)
        #expect(response.status == .ok, "\(String(buffer: response.body))")
        return try response.json(KeyChangeNonceResponse.self).nonce
    }

    /// Turns phone sign-in on the way the authenticator does: a nonce, then the request signed by
    /// the approval key and the new key. Returns the status of the `POST /device/v1/phone-sign-in`.
    @discardableResult
    static func enablePhoneSignIn(_ phone: TestPhone, _ client: any TestClientProtocol) async throws -> HTTPResponse.Status {
        let nonce = try await keyChangeNonce(phone, client)
        let body = Array(try WireCoding.encoder().encode(phone.phoneSignInRequest(nonce: nonce)))
        return try await signed(phone, .post, "/device/v1/phone-sign-in", body: body, client).status
    }

    /// Opens the channel, authenticates, and collects messages until `stop` says so.
    static func listen(_ phone: TestPhone, _ client: any TestClientProtocol, authenticateWith key: TestPhone? = nil,
                       until stop: @escaping @Sendable ([ChannelMessage]) async throws -> Bool) async throws -> [ChannelMessage] {
        let received = MessageLog()
        _ = try await client.ws("/device/v1/connect") { inbound, outbound, _ in
            for try await frame in inbound.messages(maxSize: 1 << 16) {
                guard case .text(let text) = frame else { continue }
                let message = try WireCoding.decoder().decode(ChannelMessage.self, from: Data(text.utf8))
                received.append(message)
                if message.type == .hello {
                    var signer = key ?? phone
                    signer.deviceID = phone.deviceID
                    let auth = try signer.channelAuth(nonce: try #require(message.nonce))
                    try await outbound.write(.text(String(decoding: try WireCoding.encoder().encode(auth), as: UTF8.self)))
                }
                if try await stop(received.all) { return }
            }
        }
        return received.all
    }

    @Test("A connected device gets the request at once; after a drop, the catch-up delivers it again")
    func deliveryAndCatchUp() async throws {
        try await TestServer.run({ _, client in
            let browser = Browser(client)
            try await browser.signInWithPassword()
            let phone = try await Self.registerPhone(browser)
            let signIn = Browser(client)
            try await signIn.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            let startedMFA = Task {
                // Give the device time to connect, then start the password + push sign-in.
                try await Task.sleep(for: .milliseconds(300))
                try await signIn.request("/login/password", method: .post, form: ["password": "correct horse"])
            }
            // First connection: receives ready, then the request, then the device drops the channel.
            let first = try await Self.listen(phone, client) { messages in messages.contains { $0.type == .request } }
            _ = try await startedMFA.value
            #expect(first.map(\.type).prefix(2) == [.hello, .ready])
            let offer = try #require(first.first { $0.type == .request }?.request)
            #expect(offer.kind == .mfa)
            #expect(offer.userPrincipalName == "alice@contoso.com")
            // Reconnect: the pending request comes again, without anyone sending it again.
            let second = try await Self.listen(phone, client) { messages in messages.contains { $0.type == .request } }
            #expect(second.first { $0.type == .request }?.request?.id == offer.id)
            // Answer; the browser's wait returns approved and the session is issued.
            let status = try await signIn.request("/login/status").json(StatusView.self)
            let verdict = try await Self.answer(phone, offer, .approve, number: try #require(status.number), client)
            #expect(verdict.state == .approved)
            let after = try await signIn.request("/login/status?wait=5").json(StatusView.self)
            #expect(after.state == "approved")
            let done = try await signIn.request("/login/complete")
            #expect(done.headers[.location] == "/")
            let home = try await signIn.request("/")
            #expect(home.text.contains("Welcome, <strong>Alice</strong>"))
        }, mode: .live)
    }

    @Test("A channel authenticated with the wrong key is refused")
    func wrongKey() async throws {
        try await TestServer.run({ _, client in
            let browser = Browser(client)
            try await browser.signInWithPassword()
            let phone = try await Self.registerPhone(browser)
            let messages = try await Self.listen(phone, client, authenticateWith: TestPhone()) { messages in
                messages.contains { $0.type == .error || $0.type == .ready }
            }
            #expect(messages.last?.type == .error)
            #expect(!messages.contains { $0.type == .ready })
        }, mode: .live)
    }

    @Test("Another device's answer withdraws the request on this device's channel")
    func withdrawnElsewhere() async throws {
        try await TestServer.run({ _, client in
            let browser = Browser(client)
            try await browser.signInWithPassword()
            let listening = try await Self.registerPhone(browser)
            try await browser.signInWithPush(listening)   // a second method needs a multi-factor sign-in (decision 0013)
            let other = try await Self.registerPhone(browser)
            let signIn = Browser(client)
            try await signIn.request("/login", method: .post, form: ["username": "alice@contoso.com"])
            try await signIn.request("/login/password", method: .post, form: ["password": "correct horse"])
            let status = try await signIn.request("/login/status").json(StatusView.self)
            let answered = Task {
                try await Task.sleep(for: .milliseconds(500))
                let offer = try #require(try await Self.pending(other, client).first)
                _ = try await Self.answer(other, offer, .approve, number: status.number, client)
            }
            let messages = try await Self.listen(listening, client) { messages in messages.contains { $0.type == .withdrawn } }
            try await answered.value
            let withdrawn = try #require(messages.first { $0.type == .withdrawn })
            #expect(withdrawn.reason == "answeredElsewhere")
            #expect(withdrawn.challengeId == messages.first { $0.type == .request }?.request?.id)
        }, mode: .live)
    }

    @Test("Over HTTP a signed request is refused when replayed, when its body is swapped, and in version 1")
    func signedRequestsOverHTTP() async throws {
        try await TestServer.run { _, client in
            let phone = try await Browser(client).registerAndSignIn()
            // A captured POST replayed as it was, and with another body under the same headers.
            let nonce = try await Self.keyChangeNonce(phone, client)
            let body = Array(try WireCoding.encoder().encode(phone.phoneSignInRequest(nonce: nonce)))
            var headers: HTTPFields = [.contentType: "application/json"]
            for (name, value) in try phone.signedHeaders(method: "POST", path: "/device/v1/phone-sign-in", time: Date(), body: body) {
                headers[HTTPField.Name(name)!] = value
            }
            let other = Array(try WireCoding.encoder().encode(
                phone.phoneSignInRequest(nonce: nonce, approvedWith: phone.approvalKey, newKey: P256.Signing.PrivateKey())))
            let swapped = try await client.execute(uri: "/device/v1/phone-sign-in", method: .post, headers: headers, body: ByteBuffer(bytes: other))
            #expect(swapped.status == .unauthorized)
            #expect(try await client.execute(uri: "/device/v1/phone-sign-in", method: .post, headers: headers, body: ByteBuffer(bytes: body)).status == .ok)
            let replayed = try await client.execute(uri: "/device/v1/phone-sign-in", method: .post, headers: headers, body: ByteBuffer(bytes: body))
            #expect(replayed.status == .unauthorized)
            #expect(replayed.graphError?.message == "This signed request was already used.")
            // Version 1 headers (no nonce, no body digest) are refused with a JSON error.
            let seconds = Int64(Date().timeIntervalSince1970)
            let v1 = SignedBytes.request(method: "GET", path: "/device/v1/pending", deviceID: phone.deviceID, time: seconds) ?? []
            let old = try await client.execute(uri: "/device/v1/pending", method: .get, headers: [
                HTTPField.Name("X-Tandem-Device")!: phone.deviceID, HTTPField.Name("X-Tandem-Time")!: String(seconds),
                HTTPField.Name("X-Tandem-Signature")!: try DeviceSignature.sign(v1, with: phone.deviceKey)], body: nil)
            #expect(old.status == .unauthorized)
            #expect(old.graphError?.message.contains("version 2") == true)
        }
    }

    @Test("Phone sign-in turned on elsewhere reaches a connected device as a notice, and a reconnecting one in its catch-up")
    func noticesOnTheChannel() async throws {
        try await TestServer.run({ _, client in
            let browser = Browser(client)
            let listening = try await browser.registerAndSignIn()
            let other = try await Self.registerPhone(browser)
            // The first device hears about the second when it reconnects (it was not connected).
            let catchUp = try await Self.listen(listening, client) { messages in messages.contains { $0.type == .notice } }
            #expect(catchUp.first { $0.type == .notice }?.notice?.kind == .authenticatorAdded)
            #expect(catchUp.first { $0.type == .notice }?.notice?.deviceId == other.deviceID)
            // Live: phone sign-in turned on on the other device while this one listens.
            let enabled = Task {
                try await Task.sleep(for: .milliseconds(400))
                #expect(try await Self.enablePhoneSignIn(other, client) == .ok)
            }
            let live = try await Self.listen(listening, client) { messages in messages.contains { $0.type == .notice } }
            try await enabled.value
            let notice = try #require(live.first { $0.type == .notice }?.notice)
            #expect(notice.kind == .phoneSignInEnabled && notice.deviceId == other.deviceID)
            // Handed out on the channel, so not again in GET notices; the changed device hears nothing of itself.
            let listed = try await Self.signed(listening, .get, "/device/v1/notices", client).json(NoticesResponse.self)
            #expect(listed.notices.isEmpty)
            let own = try await Self.signed(other, .get, "/device/v1/notices", client).json(NoticesResponse.self)
            #expect(own.notices.allSatisfy { $0.deviceId != other.deviceID })
        }, mode: .live)
    }

    struct StatusView: Decodable { let state: String?; let number: String?; let stage: String }
}

final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [ChannelMessage] = []
    func append(_ message: ChannelMessage) { lock.withLock { messages.append(message) } }
    var all: [ChannelMessage] { lock.withLock { messages } }
}
