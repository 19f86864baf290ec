import Crypto
import Foundation

/// What a device says about a challenge.
public enum AnswerDecision: String, Codable, Sendable, CaseIterable {
    /// Approve with the number typed on the device.
    case approve
    /// Deny ("I didn't try to sign in" without reporting).
    case deny
    /// "No, it's not me": deny and report as suspicious.
    case report
}

/// Which of a device's keys a key change sets (`SignedBytes.keyChange`).
public enum DeviceKeyChange: String, Codable, Sendable, CaseIterable {
    /// Turns passwordless phone sign-in on with a new phone sign-in key (or replaces it).
    case phoneSignIn
}

/// The canonical byte strings that devices sign. `docs/push-protocol.md` defines them; golden
/// vectors in `Tests/Vectors` pin them on the server and in AuthenticatorKit.
///
/// Every string is ASCII: a version line, then `name=value` lines each ending in `\n`. Values are
/// restricted (base64url, digits, decimal time, a fixed word), so no value can contain a newline or
/// an `=` that would let one message be read as another. Builders return `nil` on a value outside
/// its alphabet.
public enum SignedBytes {
    /// The bytes a device signs to answer a challenge.
    public static func answer(challengeID: String, nonce: String, deviceID: String, decision: AnswerDecision, number: String?) -> [UInt8]? {
        let typed = decision == .approve ? (number ?? "") : ""
        guard isToken(challengeID), isToken(nonce), isToken(deviceID) else { return nil }
        guard typed.isEmpty || NumberMatch.isWellFormed(typed) else { return nil }
        if decision == .approve && typed.isEmpty { return nil }
        return lines("tandem-push-answer/v1", [
            ("challenge", challengeID), ("nonce", nonce), ("device", deviceID),
            ("decision", decision.rawValue), ("number", typed),
        ])
    }

    /// The bytes a device signs to open its push channel, over the nonce the server sent.
    public static func connect(deviceID: String, nonce: String) -> [UInt8]? {
        guard isToken(deviceID), isToken(nonce) else { return nil }
        return lines("tandem-device-connect/v1", [("device", deviceID), ("nonce", nonce)])
    }

    /// The bytes a device signed to authenticate one HTTP request in version 1 of the protocol.
    /// The server no longer accepts them (they cover no body and could be replayed); kept for the
    /// frozen version-1 vectors. Use `requestV2`.
    public static func request(method: String, path: String, deviceID: String, time: Int64) -> [UInt8]? {
        guard ["GET", "POST", "DELETE"].contains(method), isPath(path), isToken(deviceID), time >= 0 else { return nil }
        return lines("tandem-device-request/v1", [("method", method), ("path", path), ("device", deviceID), ("time", String(time))])
    }

    /// The version-1 proof of a new phone sign-in key, signed by that key alone. The server no
    /// longer accepts it (any holder of the channel key could make one); kept for the frozen
    /// version-1 vectors. Use `keyChange`.
    public static func phoneSignIn(deviceID: String, publicKey: String) -> [UInt8]? {
        guard isToken(deviceID), isToken(publicKey) else { return nil }
        return lines("tandem-phone-sign-in/v1", [("device", deviceID), ("key", publicKey)])
    }

    /// The bytes a device signs to authenticate one HTTP request, version 2: they cover the
    /// method, the path, the time, a fresh request nonce (the server accepts each nonce once) and
    /// the SHA-256 of the exact body bytes (an empty body for `GET` and `DELETE`).
    public static func requestV2(method: String, path: String, deviceID: String, time: Int64, nonce: String, body: [UInt8]) -> [UInt8]? {
        guard ["GET", "POST", "PUT", "DELETE"].contains(method), isPath(path), isToken(deviceID), time >= 0,
              isToken(nonce), nonce.utf8.count >= minimumRequestNonceLength
        else { return nil }
        return lines("tandem-device-request/v2", [
            ("method", method), ("path", path), ("device", deviceID), ("time", String(time)),
            ("nonce", nonce), ("body", bodyDigest(body)),
        ])
    }

    /// The shortest request nonce accepted: 16 base64url characters (96 bits).
    public static let minimumRequestNonceLength = 16

    /// The body digest of `requestV2`: SHA-256 of the bytes, base64url.
    public static func bodyDigest(_ body: [UInt8]) -> String {
        Base64URL.encode(Array(SHA256.hash(data: body)))
    }

    /// The bytes that prove a change of one of a device's keys. Both the device's PIN-protected
    /// approval key and the new key sign them; `nonce` is a single-use nonce the server issued to
    /// this device (`POST /device/v1/key-change-nonce`).
    public static func keyChange(deviceID: String, nonce: String, change: DeviceKeyChange, publicKey: String) -> [UInt8]? {
        guard isToken(deviceID), isToken(nonce), isToken(publicKey) else { return nil }
        return lines("tandem-device-key-change/v1", [
            ("device", deviceID), ("nonce", nonce), ("change", change.rawValue), ("key", publicKey),
        ])
    }

    static func lines(_ version: String, _ fields: [(String, String)]) -> [UInt8] {
        var text = version + "\n"
        for (name, value) in fields { text += "\(name)=\(value)\n" }
        return Array(text.utf8)
    }

    /// A base64url token of 1 to 512 characters.
    public static func isToken(_ value: String) -> Bool {
        (1...512).contains(value.utf8.count) && value.utf8.allSatisfy(Base64URL.isAlphabet)
    }

    static func isPath(_ value: String) -> Bool {
        value.hasPrefix("/") && value.utf8.count <= 512
            && value.utf8.allSatisfy { Base64URL.isAlphabet($0) || $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: ".") }
    }
}
