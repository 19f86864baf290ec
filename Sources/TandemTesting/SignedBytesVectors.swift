import Foundation
import TandemCore

/// `Tests/Vectors/signed-bytes-v1.json` (frozen, protocol version 1) and
/// `Tests/Vectors/signed-bytes-v2.json` (the messages version 2 added), shared with the server's tests.
public struct SignedBytesVectors: Decodable, Sendable {
    public struct TestKey: Decodable, Sendable {
        public var privateKeyHex: String
        public var publicKey: String
    }

    public struct Inputs: Decodable, Sendable {
        public var challengeID: String?
        public var nonce: String?
        public var deviceID: String?
        public var decision: AnswerDecision?
        public var number: String?
        public var method: String?
        public var path: String?
        public var time: Int64?
        public var publicKey: String?
        /// `requestV2`: the body text whose digest the bytes carry.
        public var body: String?
        /// `keyChange`: which key changes.
        public var change: DeviceKeyChange?
    }

    public struct Valid: Decodable, Sendable {
        public var name: String
        public var builder: String
        public var inputs: Inputs
        public var bytes: String
        public var signature: String
    }

    public struct Invalid: Decodable, Sendable {
        public var name: String
        public var builder: String
        public var inputs: Inputs
        public var reason: String
    }

    public var version: Int
    public var testKey: TestKey
    public var valid: [Valid]
    public var invalid: [Invalid]

    public static let url = folder.appendingPathComponent("signed-bytes-v1.json")
    public static let urlV2 = folder.appendingPathComponent("signed-bytes-v2.json")

    static var folder: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Tests/Vectors")
    }

    /// The version-1 vectors.
    public static let loaded: SignedBytesVectors = load(url)
    /// The version-2 vectors.
    public static let loadedV2: SignedBytesVectors = load(urlV2)

    static func load(_ url: URL) -> SignedBytesVectors {
        do {
            return try JSONDecoder().decode(SignedBytesVectors.self, from: Data(contentsOf: url))
        } catch {
            fatalError("cannot read \(url.path): \(error)")
        }
    }

    /// The signed bytes as TandemCore's builder makes them (`nil` when it refuses).
    public static func coreBytes(_ builder: String, _ inputs: Inputs) -> [UInt8]? {
        switch builder {
        case "answer":
            SignedBytes.answer(challengeID: inputs.challengeID!, nonce: inputs.nonce!, deviceID: inputs.deviceID!,
                               decision: inputs.decision!, number: inputs.number)
        case "connect":
            SignedBytes.connect(deviceID: inputs.deviceID!, nonce: inputs.nonce!)
        case "request":
            SignedBytes.request(method: inputs.method!, path: inputs.path!, deviceID: inputs.deviceID!, time: inputs.time!)
        case "phoneSignIn":
            SignedBytes.phoneSignIn(deviceID: inputs.deviceID!, publicKey: inputs.publicKey!)
        case "requestV2":
            SignedBytes.requestV2(method: inputs.method!, path: inputs.path!, deviceID: inputs.deviceID!, time: inputs.time!,
                                  nonce: inputs.nonce!, body: Array(inputs.body!.utf8))
        case "keyChange":
            SignedBytes.keyChange(deviceID: inputs.deviceID!, nonce: inputs.nonce!, change: inputs.change!, publicKey: inputs.publicKey!)
        default:
            fatalError("unknown builder \(builder)")
        }
    }
}
