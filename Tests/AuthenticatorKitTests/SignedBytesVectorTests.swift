import Crypto
import Foundation
import Testing
@testable import AuthenticatorKit
import TandemCore
import TandemTesting

extension SignedBytesVectors {
    /// The bytes AuthenticatorKit hands to its signer for these inputs, through the code paths
    /// that sign them in the app.
    static func authenticatorKitBytes(_ builder: String, _ inputs: Inputs) throws -> [UInt8] {
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
        case "request":
            let client = TandemDeviceClient(serverURL: URL(string: "http://127.0.0.1:8080")!,
                                            now: { [time = inputs.time!] in Date(timeIntervalSince1970: TimeInterval(time)) })
            let captured = Captured()
            _ = try client.signedHeaders(method: inputs.method!, path: inputs.path!, deviceID: inputs.deviceID!) { bytes in
                captured.set(bytes)
                return "signature"
            }
            return captured.value
        case "phoneSignIn":
            return try Authenticator.phoneSignInBytes(deviceID: inputs.deviceID!, publicKey: inputs.publicKey!)
        default:
            fatalError("unknown builder \(builder)")
        }
    }
}

@Suite("Golden signed-bytes vectors")
struct SignedBytesVectorTests {
    @Test("The vector file is version 1 and covers every builder and every answer decision")
    func coversEveryBuilder() {
        let vectors = SignedBytesVectors.loaded
        #expect(vectors.version == 1)
        #expect(Set(vectors.valid.map(\.builder)) == ["answer", "connect", "request", "phoneSignIn"])
        #expect(Set(vectors.valid.compactMap(\.inputs.decision)) == Set(AnswerDecision.allCases))
        #expect(!vectors.invalid.isEmpty)
    }

    @Test("The test key's public key is the one written in the file")
    func testKeyMatches() throws {
        let vectors = SignedBytesVectors.loaded
        let key = try P256.Signing.PrivateKey(rawRepresentation: bytes(hex: vectors.testKey.privateKeyHex))
        #expect(DeviceSignature.encode(key.publicKey) == vectors.testKey.publicKey)
    }

    @Test("The bytes AuthenticatorKit signs equal the vector bytes", arguments: SignedBytesVectors.loaded.valid)
    func bytesMatch(_ vector: SignedBytesVectors.Valid) throws {
        let expected = Array(vector.bytes.utf8)
        #expect(try SignedBytesVectors.authenticatorKitBytes(vector.builder, vector.inputs) == expected)
        #expect(SignedBytesVectors.coreBytes(vector.builder, vector.inputs) == expected)
    }

    @Test("The vector signature verifies over the vector bytes and not over changed bytes", arguments: SignedBytesVectors.loaded.valid)
    func vectorSignatureVerifies(_ vector: SignedBytesVectors.Valid) {
        let publicKey = SignedBytesVectors.loaded.testKey.publicKey
        let bytes = Array(vector.bytes.utf8)
        #expect(DeviceSignature.isValid(signature: vector.signature, bytes: bytes, publicKey: publicKey))
        var changed = bytes
        changed[changed.count - 2] ^= 0x01
        #expect(!DeviceSignature.isValid(signature: vector.signature, bytes: changed, publicKey: publicKey))
    }

    @Test("A signature made by the test key through DeviceSignature verifies", arguments: SignedBytesVectors.loaded.valid)
    func testKeySignatureVerifies(_ vector: SignedBytesVectors.Valid) throws {
        let vectors = SignedBytesVectors.loaded
        let key = try P256.Signing.PrivateKey(rawRepresentation: bytes(hex: vectors.testKey.privateKeyHex))
        let signature = try DeviceSignature.sign(Array(vector.bytes.utf8), with: key)
        #expect(DeviceSignature.isValid(signature: signature, bytes: Array(vector.bytes.utf8), publicKey: vectors.testKey.publicKey))
    }

    @Test("A signature made by the key store verifies with DeviceSignature.isValid",
          arguments: SignedBytesVectors.loaded.valid, KeyProtection.allCases)
    func keyStoreSignatureVerifies(_ vector: SignedBytesVectors.Valid, protection: KeyProtection) async throws {
        try await withTemporaryFolder { folder throws in
            let store = cheapKeyStore(folder)
            let pin: String? = protection == .pin ? "2468" : nil
            let publicKey = try store.createKey(label: "k", protection: protection, pin: pin)
            let bytes = Array(vector.bytes.utf8)
            let signature = try store.sign(bytes, label: "k", pin: pin)
            #expect(DeviceSignature.isValid(signature: signature, bytes: bytes, publicKey: publicKey))
            #expect(!DeviceSignature.isValid(signature: signature, bytes: bytes, publicKey: SignedBytesVectors.loaded.testKey.publicKey))
        }
    }

    @Test("Invalid inputs are refused by the builder and by AuthenticatorKit", arguments: SignedBytesVectors.loaded.invalid)
    func invalidInputsRefused(_ vector: SignedBytesVectors.Invalid) {
        #expect(SignedBytesVectors.coreBytes(vector.builder, vector.inputs) == nil, "\(vector.reason)")
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
