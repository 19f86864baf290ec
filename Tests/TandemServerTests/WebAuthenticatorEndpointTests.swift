import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// The web authenticator's endpoints through the real application and SQLite (protocol version 3):
/// the relying party follows `--public-url`, the finer error codes reach the JSON body, and every
/// bad input to the new endpoints is a 4xx with the error body.
@Suite("Web authenticator endpoints over HTTP")
struct WebAuthenticatorEndpointTests {
    static let publicURL = "http://localhost:8443"

    static func run(_ test: @Sendable @escaping (any TestClientProtocol) async throws -> Void) async throws {
        try await TestServer.run(configure: { $0.publicURL = publicURL }) { _, client in try await test(client) }
    }

    static func json(_ value: some Encodable) throws -> [UInt8] { Array(try WireCoding.encoder().encode(value)) }

    /// Signs in, asks for an activation code and activates a web phone with it.
    static func activate(_ client: any TestClientProtocol) async throws -> (TestWebPhone, ActivationResponse, String) {
        let browser = Browser(client)
        try await browser.signInWithPassword()
        let created = try await browser.request("/mysecurityinfo/authenticator", method: .post, accept: "application/json")
        let activation = try created.json([String: String].self)
        var phone = TestWebPhone(origin: publicURL)
        let response = try await client.execute(uri: "/device/v1/activate", method: .post, headers: [.contentType: "application/json"],
                                                body: ByteBuffer(bytes: try json(phone.activation(code: try #require(activation["code"])))))
        #expect(response.status == .created, "\(response.text)")
        let answer = try response.json(ActivationResponse.self)
        phone.deviceID = answer.deviceId
        return (phone, answer, try #require(activation["activationId"]))
    }

    static func signed(_ phone: TestWebPhone, _ method: String, _ path: String, body: [UInt8], _ client: any TestClientProtocol) async throws -> TestResponse {
        // TestPhone's signing with the web phone's device key: same v2 bytes.
        let seconds = Int64(Date().timeIntervalSince1970)
        let nonce = TestPhone.requestNonce()
        let bytes = try #require(SignedBytes.requestV2(method: method, path: path, deviceID: phone.deviceID, time: seconds, nonce: nonce, body: body))
        var headers: HTTPFields = body.isEmpty ? [:] : [.contentType: "application/json"]
        headers[HTTPField.Name("X-Tandem-Device")!] = phone.deviceID
        headers[HTTPField.Name("X-Tandem-Time")!] = String(seconds)
        headers[HTTPField.Name("X-Tandem-Nonce")!] = nonce
        headers[HTTPField.Name("X-Tandem-Signature")!] = try DeviceSignature.sign(bytes, with: phone.deviceKey)
        return try await client.execute(uri: path, method: HTTPRequest.Method(method)!, headers: headers, body: body.isEmpty ? nil : ByteBuffer(bytes: body))
    }

    static func error(_ response: TestResponse) throws -> ErrorBody.Detail {
        try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body)).error
    }

    @Test("A web phone activates with the RP of --public-url, registers its passkey and is confirmed; the codes reach the JSON")
    func confirm() async throws {
        try await Self.run { client in
            let (phone, activation, _) = try await Self.activate(client)
            let options = try #require(activation.approvalPasskey)
            #expect(options.rpId == "localhost")
            let pending = try await Self.signed(phone, "GET", "/device/v1/pending", body: [], client)
            let offer = try #require(try pending.json(PendingResponse.self).requests.first)
            let answerPath = "/device/v1/challenges/\(offer.id)/answer"
            // The number does not matter for these refusals: the assertion is checked first.
            let early = try await client.execute(uri: answerPath, method: .post, headers: [.contentType: "application/json"],
                                                 body: ByteBuffer(bytes: try Self.json(phone.answer(offer, .approve, number: "00", counter: 1, rpID: "localhost"))))
            let earlyError = try Self.error(early)
            #expect(early.status == .forbidden && earlyError.code == "passkeyRequired")
            let registered = try await Self.signed(phone, "POST", "/device/v1/approval-passkey", body: try Self.json(phone.registration(options)), client)
            #expect(registered.status == .ok && registered.text == #"{"approvalPasskey":"registered"}"#)
            var bare = try phone.answer(offer, .approve, number: "00", counter: 1, rpID: "localhost")
            bare.assertion = nil
            let missing = try await client.execute(uri: answerPath, method: .post, headers: [.contentType: "application/json"],
                                                   body: ByteBuffer(bytes: try Self.json(bare)))
            let missingError = try Self.error(missing)
            #expect(missing.status == .unauthorized && missingError.code == "assertionRequired")
            let wrongRP = try await client.execute(uri: answerPath, method: .post, headers: [.contentType: "application/json"],
                                                   body: ByteBuffer(bytes: try Self.json(phone.answer(offer, .approve, number: "00", counter: 1, rpID: "127.0.0.1"))))
            let wrongRPError = try Self.error(wrongRP)
            #expect(wrongRP.status == .unauthorized && wrongRPError.message.contains("RP ID"))
        }
    }

    @Test("Bad bodies to the new endpoints and fields are 4xx with the JSON error body")
    func badInput() async throws {
        try await Self.run { client in
            let (phone, activation, _) = try await Self.activate(client)
            let options = try #require(activation.approvalPasskey)
            let good = phone.registration(options)
            var notBase64 = good
            notBase64.attestationObject = "!!!"
            var garbage = good
            garbage.attestationObject = Base64URL.encode([0xA3, 0x63, 0x66])
            let cases: [(String, [UInt8], Int)] = [
                ("not JSON", Array("{".utf8), 400),
                ("missing fields", Array(#"{"credentialId":"AA"}"#.utf8), 400),
                ("wrong types", Array(#"{"credentialId":1,"clientDataJSON":[],"attestationObject":null}"#.utf8), 400),
                ("not base64url", try Self.json(notBase64), 400),
                ("truncated CBOR", try Self.json(garbage), 400),
                ("empty", [], 400),
            ]
            for (name, body, status) in cases {
                let response = try await Self.signed(phone, "POST", "/device/v1/approval-passkey", body: body, client)
                #expect(response.status.code == status, "\(name): \(response.text)")
                let detail = try Self.error(response)
                #expect(!detail.message.isEmpty, "\(name)")
            }
            let unsigned = try await client.execute(uri: "/device/v1/approval-passkey", method: .post, headers: [.contentType: "application/json"],
                                                    body: ByteBuffer(bytes: try Self.json(good)))
            #expect(unsigned.status == .unauthorized)
            // A malformed assertion in an answer.
            let pending = try await Self.signed(phone, "GET", "/device/v1/pending", body: [], client)
            let offer = try #require(try pending.json(PendingResponse.self).requests.first)
            _ = try await Self.signed(phone, "POST", "/device/v1/approval-passkey", body: try Self.json(good), client)
            var answer = try phone.answer(offer, .approve, number: "00", counter: 1, rpID: "localhost")
            answer.assertion?.authenticatorData = "%%%"
            let malformed = try await client.execute(uri: "/device/v1/challenges/\(offer.id)/answer", method: .post,
                                                     headers: [.contentType: "application/json"], body: ByteBuffer(bytes: try Self.json(answer)))
            #expect(malformed.status == .badRequest, "\(malformed.text)")
            answer.assertion?.authenticatorData = Base64URL.encode([1, 2, 3])
            let short = try await client.execute(uri: "/device/v1/challenges/\(offer.id)/answer", method: .post,
                                                 headers: [.contentType: "application/json"], body: ByteBuffer(bytes: try Self.json(answer)))
            #expect(short.status == .unauthorized, "\(short.text)")
            let wrongShape = try await client.execute(uri: "/device/v1/challenges/\(offer.id)/answer", method: .post, headers: [.contentType: "application/json"],
                                                      body: ByteBuffer(string: #"{"deviceId":"\#(phone.deviceID)","decision":"approve","number":"1","signature":"AA","assertion":"x"}"#))
            #expect(wrongShape.status == .badRequest, "\(wrongShape.text)")
            // Phone sign-in bodies of the wrong shape for a web device.
            let cli = try await Self.signed(phone, "POST", "/device/v1/phone-sign-in",
                                            body: Array(#"{"publicKey":"a","nonce":"b","proof":"c","approvalSignature":"d"}"#.utf8), client)
            #expect(cli.status == .badRequest, "\(cli.text)")
        }
    }
}
