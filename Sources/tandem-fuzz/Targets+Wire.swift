import Crypto
import Foundation
import TandemCore

/// The JSON bodies of the device API and the push channel, decoded with `WireCoding`, and
/// `DeviceSignature` with garbage keys and signatures.
enum WireTargets {
    static let jsonTokens = ["{", "}", "[", "]", ",", ":", "\"", "null", "true", "false", "0", "-0", "1e999", "\"\\u0000\"", "\"\\ud800\"",
                             "\"\\uDFFF\"", "\"type\"", "\"auth\"", "\"hello\"", "\"request\"", "\"decision\"", "\"approve\"", "\"number\"",
                             "\"signature\"", "\"deviceId\"", "\"code\"", "\"createdAt\"", "\"2026-11-29T10:00:00Z\"", "\"2026-11-29T10:00:00.123Z\"",
                             "\"9999-99-99T99:99:99Z\"", "\"kind\"", "\"mfa\"", "\"passwordless\"", "\"choices\"", "[[[[[[[[", "]]]]]]]]",
                             "{\"a\":{\"a\":{\"a\":", "/*", "//", "NaN", "\u{FEFF}"]

    static let key = P256.Signing.PrivateKey()
    static let publicKey = DeviceSignature.encode(key.publicKey)
    static let otherKey = DeviceSignature.encode(P256.Signing.PrivateKey().publicKey)
    static let offer = ChallengeOffer(id: "Y2hhbGxlbmdlLWlkLTEyMzQ", kind: .mfa, nonce: "bm9uY2Utbm9uY2Utbm9uY2U", userPrincipalName: "alice@contoso.com",
                                      displayName: "Alice", context: ChallengeContext(application: "Tandem", ipAddress: "192.0.2.7",
                                                                                      location: "Berlin, Germany", browser: "Firefox"),
                                      createdAt: Date(timeIntervalSince1970: 1_800_000_000), expiresAt: Date(timeIntervalSince1970: 1_800_000_120),
                                      choices: ["12", "47", "93"])

    static var all: [any FuzzTarget] {
        [
            roundTrip("json-activation-request", ActivationRequest.self, "ActivationRequest: POST /device/v1/activate") { request in
                _ = DeviceSignature.publicKey(request.deviceKey)
                _ = request.approvalKey.map(DeviceSignature.publicKey)
                _ = Base32.decode(request.code)
            },
            roundTrip("json-activation-response", ActivationResponse.self, "ActivationResponse, read by the authenticator") { response in
                if let secret = response.totpSecret, let bytes = Base32.decode(secret) { _ = try? TOTP(secret: bytes) }
            },
            roundTrip("json-pending-response", PendingResponse.self, "PendingResponse / ChallengeOffer, read by the authenticator") { _ in },
            roundTrip("json-phone-sign-in", PhoneSignInRequest.self, "PhoneSignInRequest: POST /device/v1/phone-sign-in") { request in
                if let bytes = SignedBytes.keyChange(deviceID: "ZGV2aWNl", nonce: request.nonce, change: .phoneSignIn, publicKey: request.publicKey) {
                    _ = DeviceSignature.isValid(signature: request.proof, bytes: bytes, publicKey: request.publicKey)
                    _ = DeviceSignature.isValid(signature: request.approvalSignature, bytes: bytes, publicKey: request.publicKey)
                }
            },
            channelMessage, signedAnswer, deviceSignature,
        ]
    }

    static func encode<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? WireCoding.encoder().encode(value)) ?? Data(), as: UTF8.self)
    }

    /// Decodes; an accepted value re-encodes to JSON that decodes and re-encodes to the same bytes.
    static func roundTrip<T: Codable & Sendable>(_ name: String, _ type: T.Type, _ summary: String, seeds extra: [String] = [],
                                      use: @escaping @Sendable (T) throws -> Void) -> ClosureTarget {
        let seeds: [String] = extra + [
            encode(ActivationRequest(code: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", deviceName: "Pixel 9", appVersion: "1.0", deviceKey: publicKey,
                                     approvalKey: otherKey)),
            encode(ActivationResponse(deviceId: "ZGV2aWNl", userId: "u-1", userPrincipalName: "alice@contoso.com", displayName: "Alice",
                                      totpSecret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")),
            encode(PendingResponse(requests: [offer, offer])),
            encode(PhoneSignInRequest(publicKey: publicKey, nonce: "bm9uY2U", proof: "AAAA", approvalSignature: "AAAA")),
            #"{"code":"x","deviceName":"p","appVersion":"1","deviceKey":"a","approvalKey":"b","extra":[1,2,{"z":null}]}"#,
            String(repeating: "[", count: 3000) + String(repeating: "]", count: 3000),
            String(repeating: #"{"a":"#, count: 2000) + "1" + String(repeating: "}", count: 2000),
        ]
        return ClosureTarget(name, summary, dictionary: jsonTokens, maxLength: 64 * 1024, seeds: seeds) { input in
            guard let value = try? WireCoding.decoder().decode(T.self, from: Data(input)) else { return false }
            try use(value)
            let first = try WireCoding.encoder().encode(value)
            let again = try WireCoding.decoder().decode(T.self, from: first)
            let second = try WireCoding.encoder().encode(again)
            try check(first == second, "re-encoding is not stable: \(String(decoding: first, as: UTF8.self)) vs \(String(decoding: second, as: UTF8.self))")
            return true
        }
    }

    static let channelNonce = "c2VydmVyLW5vbmNlLXNlcnZlci1ub25jZQ"

    static func signedAuth(deviceID: String) -> String {
        let bytes = SignedBytes.connect(deviceID: deviceID, nonce: channelNonce) ?? []
        return encode(ChannelMessage(type: .auth, deviceId: deviceID, signature: (try? DeviceSignature.sign(bytes, with: key)) ?? ""))
    }

    /// The push channel's frames, both ways. A device's `auth` verifies only for the device it was signed for.
    static let channelMessage: ClosureTarget = {
        let signed = signedAuth(deviceID: "ZGV2aWNlLTE")
        let signature = (try? WireCoding.decoder().decode(ChannelMessage.self, from: Data(signed.utf8)))?.signature ?? ""
        let seeds = [signed, encode(ChannelMessage(type: .hello, nonce: channelNonce)), encode(ChannelMessage(type: .ready)),
                     encode(ChannelMessage(type: .request, request: offer)),
                     encode(ChannelMessage(type: .withdrawn, challengeId: offer.id, reason: "answeredElsewhere")),
                     encode(ChannelMessage(type: .error, error: "authentication failed")), #"{"type":"future","x":1}"#]
        return ClosureTarget("json-channel-message", "ChannelMessage frames on the push WebSocket", dictionary: jsonTokens,
                             maxLength: 64 * 1024, seeds: seeds) { input in
            guard let message = try? WireCoding.decoder().decode(ChannelMessage.self, from: Data(input)) else { return false }
            let again = try WireCoding.decoder().decode(ChannelMessage.self, from: WireCoding.encoder().encode(message))
            try check(again == message, "does not survive encode/decode")
            if message.type == .auth, let device = message.deviceId, let sig = message.signature,
               let bytes = SignedBytes.connect(deviceID: device, nonce: channelNonce),
               DeviceSignature.isValid(signature: sig, bytes: bytes, publicKey: publicKey) {
                try check(device == "ZGV2aWNlLTE" && Base64URL.decode(sig) == Base64URL.decode(signature),
                          "an auth for device \(device) verified with a signature made for another")
            }
            return true
        }
    }()

    /// `AnswerRequest` bodies checked against the canonical answer bytes of one challenge: only the
    /// exact signed answer verifies.
    static let signedAnswer: ClosureTarget = {
        let challengeID = offer.id, nonce = offer.nonce, deviceID = "ZGV2aWNlLTE"
        var signed: [(AnswerRequest, String)] = []
        for (decision, number) in [(AnswerDecision.approve, Optional("42")), (.deny, nil), (.report, nil), (.approve, "00000007")] {
            let bytes = SignedBytes.answer(challengeID: challengeID, nonce: nonce, deviceID: deviceID, decision: decision, number: number) ?? []
            let request = AnswerRequest(deviceId: deviceID, decision: decision, number: number,
                                        signature: (try? DeviceSignature.sign(bytes, with: key)) ?? "")
            signed.append((request, encode(request)))
        }
        let originals = signed.map(\.0)
        let seeds = signed.map(\.1) + [#"{"deviceId":"x","decision":"maybe","signature":"AAAA"}"#, #"{"deviceId":1}"#]
        return ClosureTarget("json-answer-request", "AnswerRequest with the signed answer bytes (signatures over mutated answers)",
                             dictionary: jsonTokens + ["\"deny\"", "\"report\"", "\"42\"", "\"042\"", "\" 42\"", "\"4２\""],
                             maxLength: 64 * 1024, seeds: seeds) { input in
            guard let request = try? WireCoding.decoder().decode(AnswerRequest.self, from: Data(input)) else { return false }
            guard let bytes = SignedBytes.answer(challengeID: challengeID, nonce: nonce, deviceID: request.deviceId,
                                                 decision: request.decision, number: request.number)
            else { return true }
            if DeviceSignature.isValid(signature: request.signature, bytes: bytes, publicKey: publicKey) {
                let typed = request.decision == .approve ? request.number : nil
                try check(originals.contains { $0.deviceId == request.deviceId && $0.decision == request.decision
                              && ($0.decision == .approve ? $0.number : nil) == typed
                              && Base64URL.decode($0.signature) == Base64URL.decode(request.signature) },
                          "a signature verified for an answer that was never signed: \(request.decision) \(String(describing: request.number))")
            }
            return true
        }
    }()

    /// `DeviceSignature.isValid` on garbage: fields `signature, key, message` separated by U+001F.
    static let deviceSignature: ClosureTarget = {
        let message = "tandem-device-connect/v1\ndevice=ZGV2aWNl\nnonce=bm9uY2U\n"
        let signature = (try? DeviceSignature.sign(Array(message.utf8), with: key)) ?? ""
        let point = Base64URL.encode([4] + [UInt8](repeating: 0xFF, count: 64))
        let seeds = ["\(signature)\u{1F}\(publicKey)\u{1F}\(message)", "\(signature)\u{1F}\(point)\u{1F}\(message)",
                     "\(Base64URL.encode([UInt8](repeating: 0, count: 64)))\u{1F}\(publicKey)\u{1F}x",
                     "\(Base64URL.encode([UInt8](repeating: 0xFF, count: 64)))\u{1F}\(otherKey)\u{1F}"]
        return ClosureTarget("device-signature", "DeviceSignature.isValid / publicKey with garbage keys and signatures",
                             dictionary: ["\u{1F}", "A", "_", "-", "BA", "AAAA", "\n", "="], maxLength: 1024, seeds: seeds) { input in
            let parts = input.text.split(separator: "\u{1F}", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
            let (sig, pub, text) = (parts.first ?? "", parts.count > 1 ? parts[1] : "", parts.count > 2 ? parts[2] : "")
            _ = DeviceSignature.publicKey(pub)
            guard DeviceSignature.isValid(signature: sig, bytes: Array(text.utf8), publicKey: pub) else { return false }
            try check(text == message && Base64URL.decode(pub) == Base64URL.decode(publicKey) && Base64URL.decode(sig) == Base64URL.decode(signature),
                      "a signature verified that was never made (message \(text.debugDescription))")
            return true
        }
    }()
}
