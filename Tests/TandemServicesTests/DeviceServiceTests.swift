import Crypto
import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

@Suite("Device service")
struct DeviceServiceTests {
    /// Authenticates `headers` as a request with `body`.
    static func authenticate(_ s: Scenario, _ headers: [String: String], method: String = "GET", path: String = "/device/v1/pending",
                             body: [UInt8] = []) async throws -> Device {
        try await s.devices.authenticate(deviceID: headers["X-Tandem-Device"], time: headers["X-Tandem-Time"], nonce: headers["X-Tandem-Nonce"],
                                         signature: headers["X-Tandem-Signature"], method: method, path: path, body: body)
    }

    @Test("A signed request is accepted within the clock skew and refused outside it")
    func signedRequests() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let now = s.t.clock.now()
        let device = try await Self.authenticate(s, try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: now))
        #expect(device.id == phone.deviceID)
        _ = try await Self.authenticate(s, try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: now.addingTimeInterval(-300)))
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await Self.authenticate(s, try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: now.addingTimeInterval(-301)))
        }
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await Self.authenticate(s, try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: now.addingTimeInterval(301)))
        }
    }

    @Test("A request signed with a clock outside the window is refused as clockSkew, with the server's time and how far off it is",
          arguments: [(-600.0, "10 minutes behind"), (600.0, "10 minutes ahead of"), (301.0, "5 minutes ahead of"),
                      (-10_800.0, "3 hours behind"), (34_560_000.0, "400 days ahead of")] as [(Double, String)])
    func clockSkew(offset: Double, words: String) async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let now = s.t.clock.now()
        let headers = try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: now.addingTimeInterval(offset))
        do {
            _ = try await Self.authenticate(s, headers)
            Issue.record("a request \(offset) s off was accepted")
        } catch let error as TandemError {
            #expect(error.code == .unauthorized)
            #expect(error.wireCode == "clockSkew")
            #expect(error.serverTime == Int64(now.timeIntervalSince1970))
            #expect(error.message == "This device's clock is \(words) the server's. Set the date and time to automatic, then try again.")
        }
        // The refusal spent nothing: the same nonce with the corrected time (a new signature) works once.
        var corrected = try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: now, body: [],
                                                 nonce: try #require(headers["X-Tandem-Nonce"]))
        _ = try await Self.authenticate(s, corrected)
        await #expect(throws: TandemError(.unauthorized, "")) { try await Self.authenticate(s, corrected) }
        corrected["X-Tandem-Time"] = "soon"
        await #expect(throws: TandemError(.unauthorized, "")) { try await Self.authenticate(s, corrected) }
    }

    @Test("A signed request is refused when one covered part changes", arguments: ["method", "path", "body", "nonce", "time", "device"])
    func signedRequestCoversEachPart(part: String) async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let other = try await s.addPhone(name: "Other")
        let body = Array(#"{"publicKey":"x"}"#.utf8)
        var headers = try phone.signedHeaders(method: "POST", path: "/device/v1/phone-sign-in", time: s.t.clock.now(), body: body)
        var method = "POST", path = "/device/v1/phone-sign-in", sent = body
        switch part {
        case "method": method = "DELETE"
        case "path": path = "/device/v1/key-change-nonce"
        case "body": sent = Array(#"{"publicKey":"y"}"#.utf8)
        case "nonce": headers["X-Tandem-Nonce"] = TestPhone.requestNonce()
        case "time": headers["X-Tandem-Time"] = String(Int64(s.t.clock.now().timeIntervalSince1970) + 1)
        default: headers["X-Tandem-Device"] = other.deviceID
        }
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await Self.authenticate(s, headers, method: method, path: path, body: sent)
        }
    }

    @Test("A signed request works once: the same headers and body again are refused, also after a restart of the service")
    func signedRequestsAreSingleUse() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let headers = try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: s.t.clock.now())
        _ = try await Self.authenticate(s, headers)
        await #expect(throws: TandemError(.unauthorized, "This signed request was already used.")) {
            try await Self.authenticate(s, headers)
        }
        // A fresh DeviceService over the same store (another instance) refuses it too.
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await DeviceService(env: s.t.env).authenticate(deviceID: headers["X-Tandem-Device"], time: headers["X-Tandem-Time"],
                                                                 nonce: headers["X-Tandem-Nonce"], signature: headers["X-Tandem-Signature"],
                                                                 method: "GET", path: "/device/v1/pending", body: [])
        }
    }

    @Test("A version-1 request (no nonce, no body digest) is refused")
    func versionOneRefused() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let seconds = Int64(s.t.clock.now().timeIntervalSince1970)
        let v1 = SignedBytes.request(method: "GET", path: "/device/v1/pending", deviceID: phone.deviceID, time: seconds) ?? []
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.devices.authenticate(deviceID: phone.deviceID, time: String(seconds), nonce: nil,
                                             signature: try DeviceSignature.sign(v1, with: phone.deviceKey),
                                             method: "GET", path: "/device/v1/pending", body: [])
        }
    }

    @Test("The server accepts the version-2 golden request vectors signed by the test key")
    func goldenRequestVectors() async throws {
        let vectors = SignedBytesVectors.loadedV2
        for vector in vectors.valid where vector.builder == "requestV2" {
            let inputs = vector.inputs
            let storage = InMemoryStorage()
            let env = ServiceEnvironment(storage: storage, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                         passwords: PlainTestPasswordHasher(), clock: ManualClock(Date(timeIntervalSince1970: Double(inputs.time!))),
                                         random: SeededRandomSource(seed: 1), settings: ServiceSettings(publicURL: "http://127.0.0.1"))
            try await storage.insertUser(User(id: "u1", userPrincipalName: "alice@contoso.com", displayName: "Alice", passwordHash: nil, createdAt: Date()))
            try await storage.insertDevice(Device(id: inputs.deviceID!, userID: "u1", name: "Vector phone", appVersion: "1",
                                                  deviceKey: vectors.testKey.publicKey, approvalKey: DeviceSignature.encode(P256.Signing.PrivateKey().publicKey),
                                                  state: .active, createdAt: Date()))
            let device = try await DeviceService(env: env).authenticate(
                deviceID: inputs.deviceID, time: String(inputs.time!), nonce: inputs.nonce, signature: vector.signature,
                method: inputs.method!, path: inputs.path!, body: Array(inputs.body!.utf8))
            #expect(device.id == inputs.deviceID, "\(vector.name)")
        }
    }

    @Test("The server accepts the golden key-change vector as an approval-key signature")
    func goldenKeyChangeVector() async throws {
        let vectors = SignedBytesVectors.loadedV2
        let vector = try #require(vectors.valid.first { $0.builder == "keyChange" })
        let bytes = try #require(SignedBytes.keyChange(deviceID: vector.inputs.deviceID!, nonce: vector.inputs.nonce!,
                                                       change: .phoneSignIn, publicKey: vector.inputs.publicKey!))
        #expect(DeviceSignature.isValid(signature: vector.signature, bytes: bytes, publicKey: vectors.testKey.publicKey))
    }

    @Test("The channel is opened only with a signature over the server's nonce")
    func channel() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let auth = try phone.channelAuth(nonce: "bm9uY2Utb25l")
        _ = try await s.devices.authenticateChannel(deviceID: auth.deviceId, nonce: "bm9uY2Utb25l", signature: auth.signature)
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.devices.authenticateChannel(deviceID: auth.deviceId, nonce: "bm9uY2UtdHdv", signature: auth.signature)
        }
    }

    @Test("Phone sign-in turns on with the approval key's and the new key's signatures over a fresh nonce")
    func phoneSignIn() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        let nonce = try await s.devices.issueKeyChangeNonce(for: device)
        #expect(nonce.expiresAt == s.t.clock.now().addingTimeInterval(DeviceService.keyChangeNonceLifetime))
        try await s.devices.enablePhoneSignIn(for: device, phone.phoneSignInRequest(nonce: nonce.nonce))
        #expect(try await s.t.storage.device(id: phone.deviceID)?.phoneSignInKey == DeviceSignature.encode(phone.phoneSignInKey.publicKey))
    }

    /// The ways a key change is refused, each made by changing one thing in a valid request.
    enum Refusal: String, CaseIterable, CustomTestStringConvertible {
        case approvedByChannelKey, approvedByNewKey, approvedByAnotherDevicesKey, badProof, noNonceIssued, nonceUsed, nonceExpired,
             nonceOfAnotherDevice, nonceReplacedByNewer, reusedKey
        var testDescription: String { rawValue }
    }

    @Test("A key change is refused without the approval key, a proof, or a fresh nonce of this device", arguments: Refusal.allCases)
    func phoneSignInRefusals(_ refusal: Refusal) async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let other = try await s.addPhone(name: "Other")
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        var nonce = try await s.devices.issueKeyChangeNonce(for: device).nonce
        var request = try phone.phoneSignInRequest(nonce: nonce)
        switch refusal {
        case .approvedByChannelKey: request = try phone.phoneSignInRequest(nonce: nonce, approvedWith: phone.deviceKey)
        case .approvedByNewKey: request = try phone.phoneSignInRequest(nonce: nonce, approvedWith: phone.phoneSignInKey)
        case .approvedByAnotherDevicesKey: request = try phone.phoneSignInRequest(nonce: nonce, approvedWith: other.approvalKey)
        case .badProof:
            request.proof = try phone.phoneSignInRequest(nonce: nonce, approvedWith: phone.approvalKey, newKey: P256.Signing.PrivateKey()).proof
        case .noNonceIssued: request = try phone.phoneSignInRequest(nonce: "bm9uY2UtbmV2ZXItaXNzdWVk")
        case .nonceUsed:
            try await s.devices.enablePhoneSignIn(for: device, request)
            request = try phone.phoneSignInRequest(nonce: nonce, approvedWith: phone.approvalKey, newKey: P256.Signing.PrivateKey())
        case .nonceExpired: s.t.clock.advance(by: DeviceService.keyChangeNonceLifetime + 1)
        case .nonceOfAnotherDevice:
            let otherDevice = try #require(try await s.t.storage.device(id: other.deviceID))
            nonce = try await s.devices.issueKeyChangeNonce(for: otherDevice).nonce
            request = try phone.phoneSignInRequest(nonce: nonce)
        case .nonceReplacedByNewer: _ = try await s.devices.issueKeyChangeNonce(for: device)
        case .reusedKey: request = try phone.phoneSignInRequest(nonce: nonce, approvedWith: phone.approvalKey, newKey: phone.approvalKey)
        }
        let current = try #require(try await s.t.storage.device(id: phone.deviceID))
        let before = current.phoneSignInKey
        let expected = TandemError(refusal == .reusedKey ? .badRequest : .unauthorized, "")
        await #expect(throws: expected) { try await s.devices.enablePhoneSignIn(for: current, request) }
        #expect(try await s.t.storage.device(id: phone.deviceID)?.phoneSignInKey == before)
    }

    @Test("Enabling phone sign-in is audited and the user's other devices are told, live and in their notices")
    func phoneSignInAuditedAndAnnounced() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone(name: "Alice's phone")
        let other = try await s.addPhone(name: "Alice's tablet")
        try await s.enablePhoneSignIn(phone)
        let audit = try #require(try await s.t.storage.audits(limit: 50, before: nil).first { $0.activity == "User enabled phone sign-in" })
        #expect(audit.activity == "User enabled phone sign-in")
        #expect(audit.targetID == phone.deviceID && audit.targetType == "Device" && audit.initiatedByID == s.user.id)
        let sent = try #require(s.t.push.notices.last)
        #expect(sent.notice.kind == .phoneSignInEnabled && sent.notice.deviceId == phone.deviceID)
        #expect(sent.deviceIDs == [other.deviceID])
        let otherDevice = try #require(try await s.t.storage.device(id: other.deviceID))
        let notices = try await s.devices.takeNotices(for: otherDevice)
        #expect(notices.map(\.kind).suffix(1) == [.phoneSignInEnabled])
        #expect(notices.last?.deviceName == "Alice's phone")
        #expect(try await s.devices.takeNotices(for: otherDevice).isEmpty, "a notice is handed out once")
        let ownDevice = try #require(try await s.t.storage.device(id: phone.deviceID))
        #expect(try await s.devices.takeNotices(for: ownDevice).allSatisfy { $0.deviceId != phone.deviceID }, "the changed device is not told about itself")
        // Off again: audited and announced too.
        try await s.devices.disablePhoneSignIn(for: try #require(try await s.t.storage.device(id: phone.deviceID)))
        #expect(try await s.t.storage.audits(limit: 50, before: nil).contains { $0.activity == "User disabled phone sign-in" && $0.targetID == phone.deviceID })
        #expect(try await s.devices.takeNotices(for: otherDevice).map(\.kind) == [.phoneSignInDisabled])
    }

    @Test("A removed device can neither list nor answer")
    func removed() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        var device = try #require(try await s.t.storage.device(id: phone.deviceID))
        device.state = .removed
        await s.t.storage.updateDevice(device)
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await Self.authenticate(s, try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: s.t.clock.now()))
        }
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        }
    }
}
