import TandemCore
import TandemServices

/// `RadiusSealer` over the server's `OIDCSecretBox` (the same secret key and AES-GCM sealing as
/// the signing keys; the context keeps a RADIUS secret from opening as anything else).
public struct RadiusSecretBox: RadiusSealer {
    let box: OIDCSecretBox
    let random: any RandomSource

    /// `secretKey`: the server's secret key (`--secret-key`, its file, or the process default).
    public init(secretKey: String?, random: any RandomSource) {
        box = OIDCSecretBox(secret: secretKey ?? OIDCSecretKey.processDefault)
        self.random = random
    }

    public func seal(_ plaintext: [UInt8], context: String) throws -> String {
        try box.seal(plaintext, context: context, nonce: random.bytes(12))
    }

    public func open(_ text: String, context: String) -> [UInt8]? { box.open(text, context: context) }
}
