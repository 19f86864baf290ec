import AsyncHTTPClient
import Foundation
import TandemCore

/// Signs canonical bytes with the device key, returning a base64url raw `r||s` signature.
public typealias DeviceSigner = @Sendable ([UInt8]) throws -> String

/// The device API of one Tandem server over HTTP (`docs/push-protocol.md`).
///
/// Non-2xx answers are thrown as `AuthenticatorError` `.server` with the status and the
/// `{"error":{code,message}}` body; unreachable servers as `.network`.
public struct TandemDeviceClient: Sendable {
    /// The server's base URL (everything before `/device/v1/…`).
    public let serverURL: URL
    private let httpClient: HTTPClient
    private let timeoutSeconds: Int64
    private let now: @Sendable () -> Date
    private let clockOffsets: ServerClockOffsets

    /// Creates a client. `now` is the device's clock; signed requests carry it corrected by the
    /// offset `clockOffsets` holds for this server (learned from a `clockSkew` refusal).
    public init(serverURL: URL, httpClient: HTTPClient = .shared, timeoutSeconds: Int64 = 15,
                now: @escaping @Sendable () -> Date = { Date() }, clockOffsets: ServerClockOffsets = .shared) {
        self.serverURL = serverURL
        self.httpClient = httpClient
        self.timeoutSeconds = timeoutSeconds
        self.now = now
        self.clockOffsets = clockOffsets
    }

    /// `POST /device/v1/activate`: redeems the activation code and registers the device's keys.
    public func activate(_ body: ActivationRequest) async throws -> ActivationResponse {
        let (_, bytes) = try await send("POST", "/device/v1/activate", body: try encode(body), expecting: [200, 201])
        return try decode(ActivationResponse.self, bytes)
    }

    /// `GET /device/v1/pending`: the pending requests this device may answer.
    public func pending(deviceID: String, sign: DeviceSigner) async throws -> [ChallengeOffer] {
        let bytes = try await sendSigned("GET", "/device/v1/pending", deviceID: deviceID, sign: sign, expecting: [200])
        return try decode(PendingResponse.self, bytes).requests
    }

    /// `GET /device/v1/notices`: changes to the user's other authenticators not given to this
    /// device before (the server hands each out once).
    public func notices(deviceID: String, sign: DeviceSigner) async throws -> [DeviceNotice] {
        let bytes = try await sendSigned("GET", "/device/v1/notices", deviceID: deviceID, sign: sign, expecting: [200])
        return try decode(NoticesResponse.self, bytes).notices
    }

    /// `POST /device/v1/key-change-nonce`: a single-use nonce for one change of this device's keys.
    public func keyChangeNonce(deviceID: String, sign: DeviceSigner) async throws -> KeyChangeNonceResponse {
        let bytes = try await sendSigned("POST", "/device/v1/key-change-nonce", deviceID: deviceID, sign: sign, expecting: [200])
        return try decode(KeyChangeNonceResponse.self, bytes)
    }

    /// `POST /device/v1/challenges/{id}/answer`: the signature is in the body.
    public func answer(challengeID: String, _ body: AnswerRequest) async throws -> AnswerResponse {
        guard !challengeID.isEmpty, challengeID.utf8.allSatisfy(Base64URL.isAlphabet) else {
            throw AuthenticatorError(.invalidInput, "malformed request id")
        }
        let (_, bytes) = try await send("POST", "/device/v1/challenges/\(challengeID)/answer", body: try encode(body), expecting: [200])
        return try decode(AnswerResponse.self, bytes)
    }

    /// `POST /device/v1/phone-sign-in`: turns passwordless phone sign-in on with a new key (the
    /// body carries the key-change nonce and the approval key's signature).
    public func enablePhoneSignIn(_ body: PhoneSignInRequest, deviceID: String, sign: DeviceSigner) async throws {
        _ = try await sendSigned("POST", "/device/v1/phone-sign-in", body: try encode(body), deviceID: deviceID, sign: sign,
                                 expecting: [200, 201, 204])
    }

    /// `DELETE /device/v1/phone-sign-in`: turns phone sign-in off for this device.
    public func disablePhoneSignIn(deviceID: String, sign: DeviceSigner) async throws {
        _ = try await sendSigned("DELETE", "/device/v1/phone-sign-in", deviceID: deviceID, sign: sign, expecting: [200, 204])
    }

    /// The WebSocket URL of the push channel: `ws(s)://…/device/v1/connect`.
    public var channelURL: String {
        let scheme = serverURL.scheme?.lowercased() == "https" ? "wss" : "ws"
        let text = url("/device/v1/connect")
        guard let range = text.range(of: "://") else { return text }
        return scheme + text[range.lowerBound...]
    }

    // MARK: Requests

    /// The server's base path ("" or "/prefix"), which is part of the signed path.
    private var basePath: String {
        var path = URLComponents(url: serverURL, resolvingAgainstBaseURL: false)?.percentEncodedPath ?? ""
        while path.hasSuffix("/") { path.removeLast() }
        return path
    }

    private func url(_ path: String) -> String {
        var base = serverURL.absoluteString
        while base.hasSuffix("/") { base.removeLast() }
        return base + path
    }

    /// The four signature headers of a request (version 2); `sign` receives
    /// `SignedBytes.requestV2(…)` over the exact `body` bytes sent and a fresh request nonce
    /// (16 random bytes) unless one is given.
    func signedHeaders(method: String, path: String, deviceID: String, body: [UInt8] = [], nonce: String? = nil,
                       sign: DeviceSigner) throws -> [(String, String)] {
        let time = Int64(now().timeIntervalSince1970.rounded(.down)) + clockOffsets.offset(for: serverURL)
        let nonce = nonce ?? Self.requestNonce()
        guard let bytes = SignedBytes.requestV2(method: method, path: basePath + path, deviceID: deviceID, time: time, nonce: nonce, body: body) else {
            throw AuthenticatorError(.invalidInput, "cannot sign a request for device \(deviceID)")
        }
        return [
            ("X-Tandem-Device", deviceID),
            ("X-Tandem-Time", String(time)),
            ("X-Tandem-Nonce", nonce),
            ("X-Tandem-Signature", try sign(bytes)),
        ]
    }

    /// Sends a signed request. When the server refuses it because this device's clock is too far
    /// from its own (401 `clockSkew` with `serverTime`), learns the offset and signs the request
    /// again — with the corrected time and a new nonce — once.
    func sendSigned(_ method: String, _ path: String, body: [UInt8]? = nil, deviceID: String, sign: DeviceSigner,
                    expecting expected: Set<Int>) async throws -> [UInt8] {
        var corrected = false
        while true {
            let headers = try signedHeaders(method: method, path: path, deviceID: deviceID, body: body ?? [], sign: sign)
            do {
                return try await send(method, path, headers: headers, body: body, expecting: expected).1
            } catch let error as AuthenticatorError where error.serverCode == "clockSkew" {
                guard !corrected, let serverTime = error.serverTime else {
                    throw AuthenticatorError(.server, corrected
                        ? "the server still finds this device's clock wrong after correcting it; set the date and time to automatic"
                        : error.message, status: error.status, serverCode: error.serverCode, serverTime: error.serverTime)
                }
                clockOffsets.learn(serverTime: serverTime, localTime: now(), for: serverURL)
                corrected = true
            }
        }
    }

    /// 16 random bytes from the system CSPRNG, base64url.
    static func requestNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    private func send(_ method: String, _ path: String, headers: [(String, String)] = [], body: [UInt8]? = nil,
                      expecting expected: Set<Int>) async throws -> (Int, [UInt8]) {
        var request = HTTPClientRequest(url: url(path))
        request.method = .init(rawValue: method)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: Authenticator.appVersion)
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(body)
        }
        let status: Int
        let bytes: [UInt8]
        do {
            let response = try await httpClient.execute(request, timeout: .seconds(timeoutSeconds))
            status = Int(response.status.code)
            let buffer = try await response.body.collect(upTo: 1 << 20)
            bytes = Array(buffer.readableBytesView)
        } catch let error as AuthenticatorError {
            throw error
        } catch {
            throw AuthenticatorError(.network, "cannot reach \(serverURL.absoluteString): \(error)")
        }
        guard expected.contains(status) else { throw Self.serverError(status: status, body: bytes) }
        return (status, bytes)
    }

    static func serverError(status: Int, body: [UInt8]) -> AuthenticatorError {
        if let decoded = try? WireCoding.decoder().decode(ErrorBody.self, from: Data(body)) {
            return AuthenticatorError(.server, decoded.error.message, status: status, serverCode: decoded.error.code,
                                      serverTime: decoded.error.serverTime)
        }
        return AuthenticatorError(.server, "the server refused the request", status: status)
    }

    private func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try WireCoding.encoder().encode(value))
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]) throws -> T {
        do {
            return try WireCoding.decoder().decode(type, from: Data(bytes))
        } catch {
            throw AuthenticatorError(.protocolViolation, "unexpected answer from the server (not a \(T.self))")
        }
    }
}
