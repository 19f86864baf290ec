import Foundation
import TandemCore
import Testing

@Suite("Web Push endpoint rule (SSRF)")
struct WebPushEndpointTests {
    @Test("An https URL parses to its origin, the VAPID audience", arguments: [
        ("https://fcm.googleapis.com/fcm/send/abc:APA91b", "https://fcm.googleapis.com"),
        ("https://Updates.Push.Services.Mozilla.com/wpush/v2/gAAAA", "https://updates.push.services.mozilla.com"),
        ("https://web.push.apple.com:443/QGq", "https://web.push.apple.com"),
        ("https://ntfy.example.com:8443/upAbC?up=1", "https://ntfy.example.com:8443"),
        ("https://[2001:4860::8888]/push", "https://[2001:4860::8888]"),
    ])
    func origins(endpoint: String, origin: String) throws {
        #expect(try WebPushEndpoint.parse(endpoint, allowHTTP: false).origin == origin)
    }

    @Test("Text that is not an https URL is refused", arguments: [
        "http://push.example.com/1", "ftp://push.example.com/1", "/push/1", "push.example.com/1", "https:///1", "https://user:pw@push.example.com/1",
        "https://push.example.com/1#frag", "https://push.example.com/ 1", "https://push.example.com/\u{e9}", "",
        "https://push.example.com:0/1", "https://push.example.com/" + String(repeating: "a", count: 2048),
    ])
    func refused(endpoint: String) {
        #expect(throws: TandemError.self) { try WebPushEndpoint.parse(endpoint, allowHTTP: false) }
    }

    @Test("http parses only where the test option allows it")
    func http() throws {
        #expect(try WebPushEndpoint.parse("http://127.0.0.1:8080/push", allowHTTP: true).origin == "http://127.0.0.1:8080")
        #expect(throws: TandemError.self) { try WebPushEndpoint.parse("http://127.0.0.1:8080/push", allowHTTP: false) }
    }

    @Test("Public unicast addresses are allowed", arguments: [
        "8.8.8.8", "142.250.185.10", "1.1.1.1", "100.128.0.1", "172.32.0.1", "192.169.0.1", "2001:4860:4860::8888", "2a00:1450:4001::200e",
        "::ffff:8.8.8.8", "64:ff9b::808:808",
    ])
    func publicAddresses(address: String) {
        #expect(WebPushEndpoint.classify(address) == .public)
    }

    @Test("Loopback is its own kind", arguments: ["127.0.0.1", "127.5.6.7", "::1", "::ffff:127.0.0.1"])
    func loopback(address: String) {
        #expect(WebPushEndpoint.classify(address) == .loopback)
    }

    @Test("Private, shared, link-local, unique-local, multicast, reserved and unparsable addresses are restricted", arguments: [
        "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1", "100.127.255.255", "169.254.169.254",
        "0.0.0.0", "0.1.2.3", "192.0.0.8", "192.0.2.1", "198.18.0.1", "198.51.100.2", "203.0.113.3", "224.0.0.1", "239.255.255.250",
        "240.0.0.1", "255.255.255.255", "::", "fc00::1", "fd12:3456::1", "fe80::1", "febf::1", "fec0::1", "ff02::1", "2001:db8::1",
        "::ffff:10.0.0.1", "::ffff:169.254.1.1", "64:ff9b::a00:1", "2002:a00:1::1", "100::1", "not an address", "",
    ])
    func restricted(address: String) {
        #expect(WebPushEndpoint.classify(address) == .restricted)
    }
}
