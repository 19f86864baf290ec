import TandemCore
import Testing

/// The RADIUS codec: RFC 2865 §7.1's example exchange, Message-Authenticator both ways, and
/// malformed datagrams refused without a trap.
@Suite("RADIUS packet codec")
struct RadiusPacketTests {
    static func hex(_ text: String) -> [UInt8] {
        let digits = Array(text.filter { !$0.isWhitespace })
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
    }

    /// RFC 2865 §7.1: user nemo, password "arctangent", secret "xyzzy5461".
    static let rfcRequest = hex("""
        01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d
        93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03
        """)
    static let rfcAccept = hex("""
        02 00 00 26 86 fe 22 0e 76 24 ba 2a 10 05 f6 bf 9b 55 e0 b2 06 06 00 00 00 01 0f 06 00 00 00 00
        0e 06 c0 a8 01 03
        """)
    static let rfcSecret = Array("xyzzy5461".utf8)

    @Test("the RFC 2865 example request decodes and re-encodes byte for byte")
    func rfcRequestRoundTrip() throws {
        let packet = try RadiusPacket.decode(Self.rfcRequest)
        #expect(packet.code == .accessRequest)
        #expect(packet.identifier == 0)
        #expect(packet.text(.userName) == "nemo")
        #expect(packet.attributes.count == 4)
        #expect(packet.encoded() == Self.rfcRequest)
    }

    @Test("the RFC 2865 example User-Password reveals \"arctangent\" and hides back to the same octets")
    func rfcPassword() throws {
        let packet = try RadiusPacket.decode(Self.rfcRequest)
        let hidden = try #require(packet.attribute(.userPassword))
        let plain = RadiusPacket.revealPassword(hidden, secret: Self.rfcSecret, requestAuthenticator: packet.authenticator)
        #expect(plain == Array("arctangent".utf8))
        #expect(RadiusPacket.hidePassword(Array("arctangent".utf8), secret: Self.rfcSecret, requestAuthenticator: packet.authenticator) == hidden)
        #expect(RadiusPacket.revealPassword(hidden, secret: Array("wrong".utf8), requestAuthenticator: packet.authenticator) != plain)
    }

    @Test("the RFC 2865 example Access-Accept's Response Authenticator checks against the request")
    func rfcResponseAuthenticator() throws {
        let request = try RadiusPacket.decode(Self.rfcRequest)
        let accept = try RadiusPacket.decode(Self.rfcAccept)
        #expect(accept.hasValidResponseAuthenticator(requestAuthenticator: request.authenticator, secret: Self.rfcSecret))
        #expect(!accept.hasValidResponseAuthenticator(requestAuthenticator: request.authenticator, secret: Array("xyzzy5462".utf8)))
    }

    @Test("passwords of 1 to 128 octets survive hiding and revealing", arguments: [1, 15, 16, 17, 31, 32, 100, 128])
    func passwordLengths(_ length: Int) {
        let password = (0..<length).map { UInt8(33 + $0 % 90) }
        let authenticator = (0..<16).map { UInt8($0 * 7) }
        let hidden = RadiusPacket.hidePassword(password, secret: Self.rfcSecret, requestAuthenticator: authenticator)
        #expect(hidden.count % 16 == 0)
        #expect(RadiusPacket.revealPassword(hidden, secret: Self.rfcSecret, requestAuthenticator: authenticator) == password)
    }

    @Test("a hidden password of a bad length is refused", arguments: [0, 15, 17, 144])
    func badPasswordLength(_ length: Int) {
        #expect(RadiusPacket.revealPassword([UInt8](repeating: 1, count: length), secret: Self.rfcSecret,
                                            requestAuthenticator: [UInt8](repeating: 0, count: 16)) == nil)
    }

    static func signedRequest() throws -> RadiusPacket {
        try RadiusPacket.decode(Self.rfcRequest).signedRequest(secret: Self.rfcSecret)
    }

    @Test("a signed request's Message-Authenticator checks, and comes first")
    func messageAuthenticator() throws {
        let packet = try Self.signedRequest()
        #expect(packet.attributes.first?.type == RadiusAttribute.Kind.messageAuthenticator.rawValue)
        #expect(packet.hasValidMessageAuthenticator(secret: Self.rfcSecret))
        #expect(try RadiusPacket.decode(packet.encoded()).hasValidMessageAuthenticator(secret: Self.rfcSecret))
    }

    @Test("a request without Message-Authenticator fails the check")
    func missingMessageAuthenticator() throws {
        #expect(!(try RadiusPacket.decode(Self.rfcRequest)).hasValidMessageAuthenticator(secret: Self.rfcSecret))
    }

    @Test("one changed thing breaks the Message-Authenticator", arguments: ["secret", "identifier", "authenticator", "attribute", "mac", "twice", "short"])
    func brokenMessageAuthenticator(_ change: String) throws {
        var packet = try Self.signedRequest()
        var secret = Self.rfcSecret
        switch change {
        case "secret": secret[0] ^= 1
        case "identifier": packet.identifier ^= 1
        case "authenticator": packet.authenticator[3] ^= 0x80
        case "attribute": packet.attributes[1].value[0] ^= 1
        case "mac": packet.attributes[0].value[15] ^= 1
        case "twice": packet.attributes.append(packet.attributes[0])
        default: packet.attributes[0].value.removeLast()
        }
        #expect(!packet.hasValidMessageAuthenticator(secret: secret))
    }

    @Test("a reply carries a valid Message-Authenticator first and a valid Response Authenticator")
    func reply() throws {
        let request = try Self.signedRequest()
        let bytes = RadiusPacket.reply(to: request, code: .accessChallenge,
                                       attributes: [.text(.replyMessage, "enter 42"), RadiusAttribute(.state, [1, 2, 3])], secret: Self.rfcSecret)
        let reply = try RadiusPacket.decode(bytes)
        #expect(reply.code == .accessChallenge)
        #expect(reply.identifier == request.identifier)
        #expect(reply.attributes.first?.type == RadiusAttribute.Kind.messageAuthenticator.rawValue)
        #expect(reply.hasValidResponseAuthenticator(requestAuthenticator: request.authenticator, secret: Self.rfcSecret))
        // The reply's Message-Authenticator is over the request's authenticator (RFC 3579 §3.2).
        var asSigned = reply
        asSigned.authenticator = request.authenticator
        #expect(asSigned.hasValidMessageAuthenticator(secret: Self.rfcSecret))
        #expect(!reply.hasValidResponseAuthenticator(requestAuthenticator: request.authenticator, secret: Array("other".utf8)))
    }

    @Test("octets past the length field are padding and ignored")
    func padding() throws {
        #expect(try RadiusPacket.decode(Self.rfcRequest + [9, 9, 9]).encoded() == Self.rfcRequest)
    }

    @Test("malformed datagrams are refused", arguments: [
        "",                                                    // nothing
        "01 00 00 14",                                         // shorter than a header
        "01 00 00 13 00000000000000000000000000000000",        // length 19
        "01 00 10 01 00000000000000000000000000000000",        // length 4097
        "01 00 00 20 00000000000000000000000000000000",        // length 32, only 20 octets
        "63 00 00 14 00000000000000000000000000000000",        // unknown code 99
        "01 00 00 16 00000000000000000000000000000000 01 01",  // attribute length 1
        "01 00 00 16 00000000000000000000000000000000 01 00",  // attribute length 0
        "01 00 00 17 00000000000000000000000000000000 01 05 41", // attribute past the end
        "01 00 00 15 00000000000000000000000000000000 01",     // attribute header cut short
    ])
    func malformed(_ text: String) {
        #expect(throws: TandemError.self) { try RadiusPacket.decode(Self.hex(text)) }
    }

    @Test("every truncation and every single-octet change of a valid request decodes or is refused, never traps")
    func exhaustiveMutation() throws {
        let valid = try Self.signedRequest().encoded()
        for length in 0...valid.count { _ = try? RadiusPacket.decode(valid.prefix(length)) }
        for index in valid.indices {
            for value in [0, 1, 0x7F, 0xFF] as [UInt8] {
                var mutated = valid
                mutated[index] = value
                if let packet = try? RadiusPacket.decode(mutated) {
                    _ = packet.hasValidMessageAuthenticator(secret: Self.rfcSecret)
                    _ = packet.encoded()
                }
            }
        }
    }
}
