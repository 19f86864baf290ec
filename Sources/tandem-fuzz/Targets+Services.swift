import Crypto
import Foundation
import TandemCore
import TandemServer
import TandemServices
import TandemTesting

/// The same parsers behind the services the server calls, on the in-memory twins: an outside
/// input may be refused with a `TandemError` (a 4xx) or accepted only when it is genuine; any other
/// error is a finding (the server would answer 500).
enum ServiceTargets {
    static var all: [any FuzzTarget] { [AnswerService(), ActivationService(), SignedRequest(), PhoneSignIn(), GraphPolicyPatch(), WebAnswerService()] }
}

/// Mutable state of a stateful target; the runner calls one case at a time.
final class Box<Value>: @unchecked Sendable {
    var value: Value
    init(_ value: Value) { self.value = value }
}

/// `POST /device/v1/challenges/{id}/answer` behind HTTP: `ChallengeService.answer`.
struct AnswerService: FuzzTarget {
    let name = "service-answer"
    let summary = "ChallengeService.answer with mutated AnswerRequest bodies (signed answers)"
    let dictionary = WireTargets.jsonTokens + ["\"deny\"", "\"report\"", "\"00\"", "\" 1\""]
    var maxLength: Int { 64 * 1024 }
    let world = Box<ServiceFixture?>(nil)
    let genuine = Box<[AnswerRequest]>([])

    func seeds() async throws -> [[UInt8]] {
        let fixture = try await ServiceFixture(registered: true)
        world.value = fixture
        guard let offer = fixture.offer, let number = fixture.number else { return [] }
        let wrong = number == "99" ? "98" : "99"
        genuine.value = try [(AnswerDecision.approve, Optional(number)), (.approve, wrong), (.deny, nil), (.report, nil)].map {
            try ServiceFixture.answer(offer, deviceID: fixture.deviceID, $0.0, number: $0.1)
        }
        // An approval signed with the device key instead of the PIN-protected approval key.
        let bytes = SignedBytes.answer(challengeID: offer.id, nonce: offer.nonce, deviceID: fixture.deviceID, decision: .approve, number: number) ?? []
        let forged = AnswerRequest(deviceId: fixture.deviceID, decision: .approve, number: number,
                                   signature: try DeviceSignature.sign(bytes, with: ServiceFixture.deviceKey))
        return (genuine.value + [forged]).map { Array(WireTargets.encode($0).utf8) }
    }

    func run(_ input: [UInt8]) async throws -> Bool {
        guard let request = try? WireCoding.decoder().decode(AnswerRequest.self, from: Data(input)) else { return false }
        guard let fixture = world.value, let offer = fixture.offer else { throw Finding("no fixture") }
        let service = ChallengeService(env: fixture.t.env)
        var answer: AnswerResponse?
        _ = try await refusalOrSuccess { answer = try await service.answer(challengeID: offer.id, request) }
        guard let answer else { return true }
        let typed = request.decision == .approve ? request.number : nil
        try check(genuine.value.contains { $0.deviceId == request.deviceId && $0.decision == request.decision
                      && ($0.decision == .approve ? $0.number : nil) == typed
                      && Base64URL.decode($0.signature) == Base64URL.decode(request.signature) },
                  "accepted an answer that was never signed: \(request.decision) \(String(describing: request.number)) → \(answer.state)")
        if answer.state == .approved { try check(request.number == fixture.number, "approved with number \(String(describing: request.number))") }
        world.value = try await ServiceFixture(registered: true)   // the request is answered: start again
        return true
    }
}

/// `POST /device/v1/activate` behind HTTP: `RegistrationService.activate`.
struct ActivationService: FuzzTarget {
    let name = "service-activate"
    let summary = "RegistrationService.activate with mutated ActivationRequest bodies"
    let dictionary = WireTargets.jsonTokens + ["\"deviceKey\"", "\"approvalKey\"", "\"appVersion\"", "\"deviceName\"", "\" \"", "\"-\""]
    var maxLength: Int { 64 * 1024 }
    let world = Box<ServiceFixture?>(nil)

    func seeds() async throws -> [[UInt8]] {
        let fixture = try await ServiceFixture(registered: false)
        world.value = fixture
        let code = fixture.activationCode ?? ""
        let spaced = stride(from: 0, to: code.count, by: 4).map { String(Array(code)[$0..<min($0 + 4, code.count)]) }.joined(separator: " ").lowercased()
        return [ServiceFixture.activation(code: code), ServiceFixture.activation(code: spaced),
                ServiceFixture.activation(code: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")].map { Array(WireTargets.encode($0).utf8) }
    }

    func run(_ input: [UInt8]) async throws -> Bool {
        guard let request = try? WireCoding.decoder().decode(ActivationRequest.self, from: Data(input)) else { return false }
        guard let fixture = world.value, let code = fixture.activationCode else { throw Finding("no fixture") }
        var response: ActivationResponse?
        _ = try await refusalOrSuccess {
            response = try await RegistrationService(env: fixture.t.env).activate(request, context: ServiceFixture.context)
        }
        guard response != nil else { return true }
        try check(request.code.replacingOccurrences(of: " ", with: "").uppercased() == code, "activated with another code \(request.code.debugDescription)")
        try check(DeviceSignature.publicKey(request.deviceKey) != nil
                  && (request.platform == "web" ? request.approvalKey == nil : DeviceSignature.publicKey(request.approvalKey ?? "") != nil),
                  "activated with a key that is not a P-256 point")
        try check((1...100).contains(request.deviceName.trimmingCharacters(in: .whitespacesAndNewlines).count), "activated with name \(request.deviceName.debugDescription)")
        world.value = try await ServiceFixture(registered: false)   // the code is used: start again
        return true
    }
}

/// The signed HTTP request headers (version 2): `DeviceService.authenticate`. Fields `device,
/// time, nonce, signature, method, path, body` separated by U+001F; a missing field is a missing
/// header (the body: empty).
struct SignedRequest: FuzzTarget {
    let name = "service-signed-request"
    let summary = "DeviceService.authenticate with mutated X-Tandem-Device/Time/Nonce/Signature headers and bodies"
    let dictionary = ["\u{1F}", "GET", "POST", "DELETE", "get", "/device/v1/pending", "/device/v1/phone-sign-in", "/device/v1/key-change-nonce",
                      "/..", "+", "-", " ", "1800000000", "1800000300", "1800000301", "99999999999999999999", "A", "_", "{}"]
    var maxLength: Int { 2048 }
    let world = Box<ServiceFixture?>(nil)
    let genuine = Box<[[String]]>([])

    func seeds() async throws -> [[UInt8]] {
        let fixture = try await ServiceFixture(registered: true)
        world.value = fixture
        let time = Int64(fixture.t.clock.now().timeIntervalSince1970)
        genuine.value = try [("GET", "/device/v1/pending", ""), ("POST", "/device/v1/phone-sign-in", "{}"), ("DELETE", "/device/v1/phone-sign-in", "")]
            .enumerated().map { index, request in
                let nonce = "ZnV6ei1yZXF1ZXN0LW5vbmNl\(index)"
                let bytes = SignedBytes.requestV2(method: request.0, path: request.1, deviceID: fixture.deviceID, time: time, nonce: nonce,
                                                  body: Array(request.2.utf8)) ?? []
                return [fixture.deviceID, String(time), nonce, try DeviceSignature.sign(bytes, with: ServiceFixture.deviceKey),
                        request.0, request.1, request.2]
            }
        return genuine.value.map { Array($0.joined(separator: "\u{1F}").utf8) } + [Array("\u{1F}\u{1F}".utf8)]
    }

    func run(_ input: [UInt8]) async throws -> Bool {
        guard let fixture = world.value else { throw Finding("no fixture") }
        let fields = input.text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        func field(_ i: Int) -> String? { i < fields.count ? fields[i] : nil }
        let accepted = try await refusalOrSuccess {
            _ = try await DeviceService(env: fixture.t.env).authenticate(deviceID: field(0), time: field(1), nonce: field(2), signature: field(3),
                                                                         method: field(4) ?? "GET", path: field(5) ?? "/",
                                                                         body: Array((field(6) ?? "").utf8))
        }
        if accepted {
            try check(genuine.value.contains { $0[0] == field(0) && Int64($0[1]) == field(1).flatMap { Int64($0) } && $0[2] == field(2)
                          && $0[4] == (field(4) ?? "GET") && $0[5] == (field(5) ?? "/") && $0[6] == (field(6) ?? "")
                          && Base64URL.decode($0[3]) == field(3).flatMap(Base64URL.decode) },
                      "accepted a request that was never signed: \(fields)")
        }
        return accepted
    }
}

/// `POST /device/v1/phone-sign-in` behind HTTP: `DeviceService.enablePhoneSignIn`.
struct PhoneSignIn: FuzzTarget {
    let name = "service-phone-sign-in"
    let summary = "DeviceService.enablePhoneSignIn with mutated PhoneSignInRequest bodies"
    let dictionary = WireTargets.jsonTokens + ["\"publicKey\"", "\"proof\"", "\"nonce\"", "\"approvalSignature\""]
    var maxLength: Int { 64 * 1024 }
    let world = Box<ServiceFixture?>(nil)
    let genuine = Box<PhoneSignInRequest?>(nil)

    func seeds() async throws -> [[UInt8]] {
        let fixture = try await ServiceFixture(registered: true)
        world.value = fixture
        let nonce = try await DeviceService(env: fixture.t.env).issueKeyChangeNonce(for: try await fixture.device()).nonce
        func request(_ newKey: P256.Signing.PrivateKey, approvedWith approver: P256.Signing.PrivateKey) throws -> PhoneSignInRequest {
            let key = DeviceSignature.encode(newKey.publicKey)
            let bytes = SignedBytes.keyChange(deviceID: fixture.deviceID, nonce: nonce, change: .phoneSignIn, publicKey: key) ?? []
            return PhoneSignInRequest(publicKey: key, nonce: nonce, proof: try DeviceSignature.sign(bytes, with: newKey),
                                      approvalSignature: try DeviceSignature.sign(bytes, with: approver))
        }
        let real = try request(ServiceFixture.phoneSignInKey, approvedWith: ServiceFixture.approvalKey)
        genuine.value = real
        // Approved by the channel key instead of the approval key; and a reused key.
        let channelOnly = try request(ServiceFixture.phoneSignInKey, approvedWith: ServiceFixture.deviceKey)
        let reused = try request(ServiceFixture.deviceKey, approvedWith: ServiceFixture.approvalKey)
        return [real, channelOnly, reused].map { Array(WireTargets.encode($0).utf8) }
    }

    func run(_ input: [UInt8]) async throws -> Bool {
        guard let request = try? WireCoding.decoder().decode(PhoneSignInRequest.self, from: Data(input)) else { return false }
        guard let fixture = world.value, let genuine = genuine.value else { throw Finding("no fixture") }
        let device = try await fixture.device()
        let accepted = try await refusalOrSuccess { try await DeviceService(env: fixture.t.env).enablePhoneSignIn(for: device, request) }
        if accepted {
            try check(request.publicKey == genuine.publicKey && request.nonce == genuine.nonce
                          && Base64URL.decode(request.approvalSignature) != nil
                          && DeviceSignature.isValid(signature: request.approvalSignature,
                                                     bytes: SignedBytes.keyChange(deviceID: fixture.deviceID, nonce: request.nonce,
                                                                                  change: .phoneSignIn, publicKey: request.publicKey) ?? [],
                                                     publicKey: DeviceSignature.encode(ServiceFixture.approvalKey.publicKey)),
                      "enabled phone sign-in without the approval key's signature over the nonce")
        }
        return true
    }
}

/// The Graph PATCH body codec of the Microsoft Authenticator configuration, through the public
/// `AdminOperations.patchPolicy` (what `tandem admin policy patch` and the PATCH route share).
/// An accepted body leaves a policy whose GET body applies again unchanged.
struct GraphPolicyPatch: FuzzTarget {
    let name = "graph-policy-patch"
    let summary = "AdminOperations.patchPolicy: Graph PATCH bodies (JSON5, OData annotations, enums)"
    let dictionary = WireTargets.jsonTokens + ["\"includeTargets\"", "\"excludeTargets\"", "\"featureSettings\"", "\"state\"", "\"enabled\"",
                                               "\"disabled\"", "\"default\"", "\"Enabled\"", "\"all_users\"", "\"group\"", "\"user\"",
                                               "\"authenticationMode\"", "\"any\"", "\"push\"", "\"deviceBasedPush\"", "\"@odata.type\"",
                                               "\"tandemNumberDigits\"", "\"tandemNumberPresentation\"", "\"chooseFromThree\"",
                                               "\"numberMatchingRequiredState\"", "\"displayAppContextRequiredState\"", "\"isSoftwareOathEnabled\"",
                                               ",}", ",]", "'single'", "/* c */", "0x1F", "+1", ".5", "Infinity"]
    var maxLength: Int { 64 * 1024 }
    let world = Box<TestEnvironment?>(nil)

    func seeds() async throws -> [[UInt8]] {
        let t = TestEnvironment(seed: 0x6EA9)
        world.value = t
        let admin = DirectoryAdminService(env: t.env)
        let user = try await admin.createUser(userPrincipalName: "alice@contoso.com", displayName: "Alice", password: nil, accountEnabled: true, by: nil)
        let group = try await admin.createGroup(displayName: "Pilot", description: nil, mailNickname: nil, by: nil)
        var seeds = [
            #"{"state":"enabled"}"#,
            #"{"includeTargets":[{"targetType":"group","id":"\#(group.id)","authenticationMode":"push","isRegistrationRequired":false}],}"#,
            #"{"excludeTargets":[{"targetType":"user","id":" \#(user.id) "}],"tandemNumberDigits":6,"tandemNumberPresentation":"chooseFromThree"}"#,
            ##"{"@odata.type":"#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration","featureSettings":{"displayAppContextRequiredState":{"state":"Enabled","includeTarget":{"targetType":"group","id":"all_users"}}}}"##,
            #"{"featureSettings":{"numberMatchingRequiredState":{"state":"disabled"}}}"#,
            try await AdminOperations.policyJSON(env: t.env),
        ]
        // The bodies copied from Microsoft's documentation that the Graph tests use.
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../Tests/TandemServerTests/Fixtures/graph")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: fixtures.path)) ?? []
        for file in files.sorted() where file.hasSuffix(".json") {
            if let text = try? String(contentsOf: fixtures.appendingPathComponent(file), encoding: .utf8) { seeds.append(text) }
        }
        // Found by this target: Foundation's JSON5 scanner trapped on an invalid UTF-8 byte where a key starts.
        return seeds.map { Array($0.utf8) } + [[0x7B, 0xF8, 0x22, 0x62, 0x22, 0x3A, 0x32, 0x7D]]
    }

    func run(_ input: [UInt8]) async throws -> Bool {
        guard let t = world.value else { throw Finding("no fixture") }
        let accepted = try await refusalOrSuccess { try await AdminOperations.patchPolicy(Data(input), env: t.env) }
        guard accepted else { return false }
        let shown = try await AdminOperations.policyJSON(env: t.env)
        let roundTrip = try await refusalOrSuccess { try await AdminOperations.patchPolicy(Data(shown.utf8), env: t.env) }
        try check(roundTrip, "the GET body of the policy it accepted does not apply again")
        let again = try await AdminOperations.policyJSON(env: t.env)
        try check(again == shown, "applying the GET body changed the policy")
        return true
    }
}
