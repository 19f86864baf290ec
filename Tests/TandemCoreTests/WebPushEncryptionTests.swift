import Crypto
import Foundation
import TandemCore
import Testing

@Suite("Web Push message encryption (RFC 8291, aes128gcm)")
struct WebPushEncryptionTests {
    /// RFC 8291 Appendix A, the standard's own example.
    enum AppendixA {
        static let plaintext = Array("When I grow up, I want to be a watermelon".utf8)
        static let applicationServerPrivate = "yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"
        static let applicationServerPublic = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
        static let userAgentPrivate = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
        static let userAgentPublic = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
        static let salt = "DGv6ra1nlYgDCS1FRnbzlw"
        static let authSecret = "BTBZMqHH6r4Tts7J_aSIgg"
        static let body = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPTpK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
    }

    static func bytes(_ text: String) throws -> [UInt8] { try #require(Base64URL.decode(text)) }

    static func encryptAppendixA(plaintext: [UInt8] = AppendixA.plaintext, salt: String = AppendixA.salt,
                                 authSecret: String = AppendixA.authSecret, userAgentPublic: String = AppendixA.userAgentPublic) throws -> [UInt8] {
        let ephemeral = try P256.KeyAgreement.PrivateKey(rawRepresentation: bytes(AppendixA.applicationServerPrivate))
        return try WebPushEncryption.encrypt(plaintext, userAgentPublicKey: bytes(userAgentPublic), authSecret: bytes(authSecret),
                                             ephemeralKey: ephemeral, salt: bytes(salt))
    }

    @Test("the Appendix A example encrypts to exactly the RFC's bytes")
    func appendixA() throws {
        let ephemeral = try P256.KeyAgreement.PrivateKey(rawRepresentation: Self.bytes(AppendixA.applicationServerPrivate))
        #expect(Base64URL.encode(ephemeral.publicKey.x963Representation) == AppendixA.applicationServerPublic)
        #expect(Base64URL.encode(try Self.encryptAppendixA()) == AppendixA.body)
    }

    @Test("the header is salt, record size 4096, key id length 65 and the one-time public key")
    func header() throws {
        let body = try Self.encryptAppendixA()
        #expect(Array(body[0..<16]) == (try Self.bytes(AppendixA.salt)))
        #expect(Array(body[16..<20]) == [0, 0, 0x10, 0])
        #expect(body[20] == 65)
        #expect(Array(body[21..<86]) == (try Self.bytes(AppendixA.applicationServerPublic)))
        #expect(body.count == 86 + AppendixA.plaintext.count + 1 + 16)
    }

    @Test("the user agent's private key and auth secret open the message (the receiving side, RFC 8291 §3.4)")
    func roundTrip() throws {
        let body = try Self.encryptAppendixA()
        let userAgent = try P256.KeyAgreement.PrivateKey(rawRepresentation: Self.bytes(AppendixA.userAgentPrivate))
        let serverKey = try P256.KeyAgreement.PublicKey(x963Representation: Array(body[21..<86]))
        let shared = try userAgent.sharedSecretFromKeyAgreement(with: serverKey)
        let keyInfo = Array("WebPush: info".utf8) + [0] + Array(userAgent.publicKey.x963Representation) + Array(body[21..<86])
        let ikm = shared.hkdfDerivedSymmetricKey(using: SHA256.self, salt: try Self.bytes(AppendixA.authSecret), sharedInfo: keyInfo, outputByteCount: 32)
        let prk = HKDF<SHA256>.extract(inputKeyMaterial: ikm, salt: Array(body[0..<16]))
        let cek = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: aes128gcm".utf8) + [0], outputByteCount: 16)
        let nonce = HKDF<SHA256>.expand(pseudoRandomKey: prk, info: Array("Content-Encoding: nonce".utf8) + [0], outputByteCount: 12)
        let box = try AES.GCM.SealedBox(nonce: try AES.GCM.Nonce(data: nonce.withUnsafeBytes { Array($0) }),
                                        ciphertext: body[86..<(body.count - 16)], tag: body[(body.count - 16)...])
        let opened = try AES.GCM.open(box, using: cek)
        #expect(Array(opened) == AppendixA.plaintext + [2])
    }

    @Test("another salt gives another body", arguments: ["AAAAAAAAAAAAAAAAAAAAAA", "_____________________w"])
    func otherSalt(salt: String) throws {
        #expect(Base64URL.encode(try Self.encryptAppendixA(salt: salt)) != AppendixA.body)
    }

    @Test("an auth secret that is not 16 bytes is refused", arguments: ["", "BTBZMqHH6r4Tts7J_aSI", "BTBZMqHH6r4Tts7J_aSIggAA"])
    func badAuthSecret(secret: String) throws {
        #expect(throws: TandemError.self) { try Self.encryptAppendixA(authSecret: secret) }
    }

    @Test("a salt that is not 16 bytes is refused")
    func badSalt() throws {
        #expect(throws: TandemError.self) { try Self.encryptAppendixA(salt: "DGv6ra1nlYgDCS1FRnbz") }
    }

    @Test("a p256dh that is not an uncompressed point on P-256 is refused", arguments: [
        "",
        // the compressed form of the example key
        "AiVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaA",
        // the example key with its last byte changed: off the curve
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw8",
        // 65 bytes of zeros
        String(repeating: "A", count: 87),
    ])
    func badPublicKey(key: String) throws {
        #expect(throws: TandemError.self) { try Self.encryptAppendixA(userAgentPublic: key) }
    }

    @Test("a plaintext longer than one 4096-byte message holds is refused; the longest that fits is sent in 4096 bytes")
    func tooLong() throws {
        #expect(throws: TandemError.self) { try Self.encryptAppendixA(plaintext: Array(repeating: 0x61, count: WebPushEncryption.maximumPlaintext + 1)) }
        #expect(try Self.encryptAppendixA(plaintext: Array(repeating: 0x61, count: WebPushEncryption.maximumPlaintext)).count == 4096)
    }
}
