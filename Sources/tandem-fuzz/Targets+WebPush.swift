import Crypto
import Foundation
import TandemCore

/// The Web Push inputs a device controls (decision 0023): the subscription's endpoint text (the
/// SSRF rule's parser and address classification) and its keys (`p256dh` as a P-256 point, then
/// an encryption to it).
enum WebPushTargets {
    static let endpoint = ClosureTarget(
        "web-push-endpoint", "WebPushEndpoint.parse and classify on endpoint text",
        dictionary: ["https://", "http://", "[", "]", "::", "::ffff:", "127.0.0.1", "10.", "fe80::", "fd00::", ":443", ":0", "@", "#", "?up=1", "%2F", "."],
        maxLength: 2200,
        seeds: ["https://fcm.googleapis.com/fcm/send/abc", "https://[2001:db8::1]:8443/p", "http://127.0.0.1:9/push", "https://u:p@h/x"]
    ) { input in
        let text = String(decoding: input, as: UTF8.self)
        var parsed = false
        for allowHTTP in [false, true] {
            guard let endpoint = try? WebPushEndpoint.parse(text, allowHTTP: allowHTTP) else { continue }
            parsed = true
            try check(endpoint.scheme == "https" || (allowHTTP && endpoint.scheme == "http"), "scheme \(endpoint.scheme)")
            try check(!endpoint.host.isEmpty && endpoint.origin.hasPrefix(endpoint.scheme + "://"), "origin \(endpoint.origin.debugDescription)")
            try check((1...65_535).contains(endpoint.port), "port \(endpoint.port)")
            _ = WebPushEndpoint.classify(endpoint.host)
        }
        _ = WebPushEndpoint.classify(text)
        return parsed
    }

    static let keys = ClosureTarget(
        "web-push-keys", "WebPushKeys.publicKey and WebPushEncryption.encrypt on p256dh bytes",
        dictionary: ["\u{4}", "\u{2}", "\u{3}", String(repeating: "\u{0}", count: 32)],
        maxLength: 130,
        seeds: []
    ) { input in
        guard let key = try? WebPushKeys.publicKey(input) else { return false }
        try check(Array(key.x963Representation) == input, "the point changed")
        let ephemeral = try P256.KeyAgreement.PrivateKey(rawRepresentation: Array(repeating: 7, count: 32))
        let body = try WebPushEncryption.encrypt(Array("{}".utf8), userAgentPublicKey: input, authSecret: Array(repeating: 1, count: 16),
                                                 ephemeralKey: ephemeral, salt: Array(repeating: 2, count: 16))
        try check(body.count == 86 + 2 + 1 + 16, "body of \(body.count) bytes")
        return true
    }

    /// The RFC 8291 Appendix A user agent key and a second valid point, as byte seeds.
    static let points: [[UInt8]] = [
        Base64URL.decode("BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4") ?? [],
        (try? P256.KeyAgreement.PrivateKey(rawRepresentation: Array(repeating: 9, count: 32))).map { Array($0.publicKey.x963Representation) } ?? [],
    ]

    static let all: [any FuzzTarget] = [endpoint, ByteSeeded(base: keys, bytes: points)]
}
