import Crypto
import Foundation
import Testing
@testable import AuthenticatorKit
import TandemCore
import TandemTesting

extension SignedBytesVectors {
    /// The version-1 messages AuthenticatorKit no longer makes: the v1 request (no body, no
    /// nonce) and the v1 phone sign-in proof (signed by the new key alone). The core builders
    /// still reproduce their frozen vectors.
    static let retiredInAuthenticatorKit: Set<String> = ["request", "phoneSignIn"]

    /// The bytes AuthenticatorKit hands to its signer for these inputs, through the code paths
    /// that sign them in the app; `nil` for a retired message.
    static func authenticatorKitBytes(_ builder: String, _ inputs: Inputs) throws -> [UInt8]? {
        switch builder {
        case "answer":
            let authenticator = Authenticator(accountStore: AccountStore(home: URL(fileURLWithPath: "/nonexistent")),
                                              keyStore: FileKeyStore(folder: URL(fileURLWithPath: "/nonexistent")))
            return try authenticator.answerBytes(
                offer: .fixture(id: inputs.challengeID!, nonce: inputs.nonce!),
                account: .fixture(deviceId: inputs.deviceID!), decision: inputs.decision!, number: inputs.number)
        case "connect":
            var machine = PushChannelStateMachine(deviceID: inputs.deviceID!)
            guard case .authenticate(let bytes) = machine.received(ChannelMessage(type: .hello, nonce: inputs.nonce!)) else {
                throw AuthenticatorError(.protocolViolation, "hello refused")
            }
            return bytes
        case "requestV2":
            // A deployment prefix in the vector's path is the client's base URL path.
            let path = inputs.path!
            let split = path.range(of: "/device/")?.lowerBound ?? path.startIndex
            let client = TandemDeviceClient(serverURL: URL(string: "http://127.0.0.1:8080" + path[..<split])!,
                                            now: { [time = inputs.time!] in Date(timeIntervalSince1970: TimeInterval(time)) })
            let captured = Captured()
            let headers = try client.signedHeaders(method: inputs.method!, path: String(path[split...]), deviceID: inputs.deviceID!,
                                                   body: Array(inputs.body!.utf8), nonce: inputs.nonce!) { bytes in
                captured.set(bytes)
                return "signature"
            }
            #expect(headers.map(\.0) == ["X-Tandem-Device", "X-Tandem-Time", "X-Tandem-Nonce", "X-Tandem-Signature"])
            return captured.value
        case "keyChange":
            return try Authenticator.keyChangeBytes(deviceID: inputs.deviceID!, nonce: inputs.nonce!, change: inputs.change!,
                                                    publicKey: inputs.publicKey!)
        case _ where retiredInAuthenticatorKit.contains(builder):
            return nil
        default:
            fatalError("unknown builder \(builder)")
        }
    }

    /// Every valid vector of both files.
    static var allValid: [Valid] { loaded.valid + loadedV2.valid }
    /// Every invalid vector of both files.
    static var allInvalid: [Invalid] { loaded.invalid + loadedV2.invalid }
}

@Suite("Golden signed-bytes vectors")
struct SignedBytesVectorTests {
    @Test("The version-1 file is version 1, covers every v1 builder and every answer decision, and is unchanged")
    func coversEveryBuilder() throws {
        let vectors = SignedBytesVectors.loaded
        #expect(vectors.version == 1)
        #expect(Set(vectors.valid.map(\.builder)) == ["answer", "connect", "request", "phoneSignIn"])
        #expect(Set(vectors.valid.compactMap(\.inputs.decision)) == Set(AnswerDecision.allCases))
        #expect(!vectors.invalid.isEmpty)
        // Released vectors are frozen: a new message gets a new file.
        let digest = SHA256.hash(data: try Data(contentsOf: SignedBytesVectors.url))
        #expect(hex(digest) == "c230efb5d5981d561d20d566264c743f453e84bdfd91681220c28897d8e549e4")
    }

    @Test("The version-2 file covers the v2 request and the key change, with refusals for each")
    func coversVersionTwo() {
        let vectors = SignedBytesVectors.loadedV2
        #expect(vectors.version == 2)
        #expect(Set(vectors.valid.map(\.builder)) == ["requestV2", "keyChange"])
        #expect(Set(vectors.invalid.map(\.builder)) == ["requestV2", "keyChange"])
        #expect(vectors.testKey.publicKey == SignedBytesVectors.loaded.testKey.publicKey)
        // Each non-empty body (phone sign-in, push subscription) is covered by its own digest, unlike the empty body's.
        let digests = Set(vectors.valid.filter { $0.builder == "requestV2" }.map { $0.bytes.split(separator: "\n").last! })
        #expect(digests.count == 3)
        // PUT (protocol version 3, the push subscription) is signed; another method is refused.
        #expect(vectors.valid.contains { $0.inputs.method == "PUT" })
        #expect(vectors.invalid.contains { $0.inputs.method == "PATCH" })
    }

    @Test("The test key's public key is the one written in the file")
    func testKeyMatches() throws {
        let vectors = SignedBytesVectors.loaded
        let key = try P256.Signing.PrivateKey(rawRepresentation: bytes(hex: vectors.testKey.privateKeyHex))
        #expect(DeviceSignature.encode(key.publicKey) == vectors.testKey.publicKey)
    }

    @Test("The bytes AuthenticatorKit signs equal the vector bytes", arguments: SignedBytesVectors.allValid)
    func bytesMatch(_ vector: SignedBytesVectors.Valid) throws {
        let expected = Array(vector.bytes.utf8)
        let kit = try SignedBytesVectors.authenticatorKitBytes(vector.builder, vector.inputs)
        if SignedBytesVectors.retiredInAuthenticatorKit.contains(vector.builder) {
            #expect(kit == nil)
        } else {
            #expect(kit == expected)
        }
        #expect(SignedBytesVectors.coreBytes(vector.builder, vector.inputs) == expected)
    }

    @Test("The vector signature verifies over the vector bytes and not over changed bytes", arguments: SignedBytesVectors.allValid)
    func vectorSignatureVerifies(_ vector: SignedBytesVectors.Valid) {
        let publicKey = SignedBytesVectors.loaded.testKey.publicKey
        let bytes = Array(vector.bytes.utf8)
        #expect(DeviceSignature.isValid(signature: vector.signature, bytes: bytes, publicKey: publicKey))
        var changed = bytes
        changed[changed.count - 2] ^= 0x01
        #expect(!DeviceSignature.isValid(signature: vector.signature, bytes: changed, publicKey: publicKey))
    }

    @Test("A signature made by the test key through DeviceSignature verifies", arguments: SignedBytesVectors.allValid)
    func testKeySignatureVerifies(_ vector: SignedBytesVectors.Valid) throws {
        let vectors = SignedBytesVectors.loaded
        let key = try P256.Signing.PrivateKey(rawRepresentation: bytes(hex: vectors.testKey.privateKeyHex))
        let signature = try DeviceSignature.sign(Array(vector.bytes.utf8), with: key)
        #expect(DeviceSignature.isValid(signature: signature, bytes: Array(vector.bytes.utf8), publicKey: vectors.testKey.publicKey))
    }

    @Test("A signature made by the key store verifies with DeviceSignature.isValid",
          arguments: SignedBytesVectors.allValid, KeyProtection.allCases)
    func keyStoreSignatureVerifies(_ vector: SignedBytesVectors.Valid, protection: KeyProtection) async throws {
        try await withTemporaryFolder { folder throws in
            let store = cheapKeyStore(folder)
            let pin: String? = protection == .pin ? "246810" : nil
            let publicKey = try store.createKey(label: "k", protection: protection, pin: pin)
            let bytes = Array(vector.bytes.utf8)
            let signature = try store.sign(bytes, label: "k", pin: pin)
            #expect(DeviceSignature.isValid(signature: signature, bytes: bytes, publicKey: publicKey))
            #expect(!DeviceSignature.isValid(signature: signature, bytes: bytes, publicKey: SignedBytesVectors.loaded.testKey.publicKey))
        }
    }

    @Test("Invalid inputs are refused by the builder and by AuthenticatorKit", arguments: SignedBytesVectors.allInvalid)
    func invalidInputsRefused(_ vector: SignedBytesVectors.Invalid) {
        #expect(SignedBytesVectors.coreBytes(vector.builder, vector.inputs) == nil, "\(vector.reason)")
        guard !SignedBytesVectors.retiredInAuthenticatorKit.contains(vector.builder) else { return }
        #expect(throws: (any Error).self, "\(vector.reason)") {
            try SignedBytesVectors.authenticatorKitBytes(vector.builder, vector.inputs)
        }
    }
}

extension SignedBytesVectors.Valid: CustomTestStringConvertible {
    public var testDescription: String { name }
}

extension SignedBytesVectors.Invalid: CustomTestStringConvertible {
    public var testDescription: String { name }
}
