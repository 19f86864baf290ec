import Foundation
import Testing
@testable import AuthenticatorKit
import TandemCore

@Suite("TandemDeviceClient")
struct TandemDeviceClientTests {
    @Test("A JSON error body becomes an error with the status, code and message")
    func decodesErrorBody() {
        let body = Array(#"{"error":{"code":"conflict","message":"already answered"}}"#.utf8)
        let error = TandemDeviceClient.serverError(status: 409, body: body)
        #expect(error.code == .server)
        #expect(error.status == 409)
        #expect(error.serverCode == "conflict")
        #expect(error.message == "already answered")
        #expect(error.description == "already answered (HTTP 409, conflict)")
    }

    @Test("A body that is not the error shape still gives the status")
    func undecodableErrorBody() {
        let error = TandemDeviceClient.serverError(status: 502, body: Array("<html>bad gateway</html>".utf8))
        #expect(error.status == 502)
        #expect(error.serverCode == nil)
    }

    @Test("Signed requests carry the device, the time, a fresh nonce and a signature over the version-2 bytes, path prefix and body included")
    func signedHeaders() throws {
        let client = TandemDeviceClient(serverURL: URL(string: "https://example.com/tandem")!,
                                        now: { Date(timeIntervalSince1970: 1_795_946_400.9) })
        let captured = Captured()
        let body = Array(#"{"a":1}"#.utf8)
        let headers = try client.signedHeaders(method: "POST", path: "/device/v1/phone-sign-in", deviceID: "dev-1", body: body) { bytes in
            captured.set(bytes)
            return "sig"
        }
        #expect(headers.map(\.0) == ["X-Tandem-Device", "X-Tandem-Time", "X-Tandem-Nonce", "X-Tandem-Signature"])
        let nonce = headers[2].1
        #expect(headers.map(\.1) == ["dev-1", "1795946400", nonce, "sig"])
        #expect(Base64URL.decode(nonce)?.count == 16)
        #expect(captured.value == SignedBytes.requestV2(method: "POST", path: "/tandem/device/v1/phone-sign-in", deviceID: "dev-1",
                                                        time: 1_795_946_400, nonce: nonce, body: body))
        // Every request gets its own nonce.
        let again = try client.signedHeaders(method: "POST", path: "/device/v1/phone-sign-in", deviceID: "dev-1", body: body) { _ in "sig" }
        #expect(again[2].1 != nonce)
    }

    @Test("The push channel URL swaps http for ws and https for wss",
          arguments: [("http://127.0.0.1:8080", "ws://127.0.0.1:8080/device/v1/connect"),
                      ("https://id.example.com/tandem/", "wss://id.example.com/tandem/device/v1/connect")])
    func channelURL(_ server: String, _ expected: String) {
        #expect(TandemDeviceClient(serverURL: URL(string: server)!).channelURL == expected)
    }
}
