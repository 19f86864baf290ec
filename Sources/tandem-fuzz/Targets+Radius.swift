import TandemCore

/// RADIUS datagrams as the UDP listener sees them (`RadiusPacket`): decoding refuses or accepts
/// without a trap, an accepted packet re-encodes to exactly the octets its length covers, and
/// the shared-secret checks and the reply built for it never trap either.
struct RadiusPacketTarget: FuzzTarget {
    static let secret = Array("fuzz-shared-secret-0123456789".utf8)

    let name = "radius-packet"
    let summary = "RadiusPacket.decode, Message-Authenticator, User-Password, replies (UDP --radius-port)"
    let dictionary = ["\u{01}", "\u{02}", "\u{0B}", "\u{12}", "\u{18}", "\u{1F}", "\u{50}\u{12}", "\u{02}\u{12}", "\u{00}\u{14}",
                      "\u{10}\u{00}", "\u{FF}\u{FF}", "\u{00}\u{00}", "\u{01}\u{02}"]
    let maxLength = 4200

    static var validRequest: RadiusPacket {
        let authenticator = (0..<16).map { UInt8(truncatingIfNeeded: $0 * 29 + 3) }
        return RadiusPacket(code: .accessRequest, identifier: 7, authenticator: authenticator, attributes: [
            .text(.userName, "alice@contoso.com"),
            RadiusAttribute(.userPassword, RadiusPacket.hidePassword(Array("correct horse".utf8), secret: secret, requestAuthenticator: authenticator)),
            .text(.callingStationID, "192.0.2.7"),
            RadiusAttribute(.state, [UInt8](repeating: 0xAB, count: 40)),
        ]).signedRequest(secret: secret)
    }

    func seeds() async throws -> [[UInt8]] {
        let valid = Self.validRequest.encoded()
        var unsigned = Self.validRequest
        unsigned.attributes.removeFirst()
        var short = valid
        short[3] = 19
        return [valid, unsigned.encoded(), valid + [0, 0, 0], Array(valid.prefix(20)), short,
                RadiusPacket(code: .statusServer, identifier: 1, authenticator: [UInt8](repeating: 1, count: 16)).signedRequest(secret: Self.secret).encoded()]
    }

    func run(_ input: [UInt8]) async throws -> Bool {
        guard let packet = try? RadiusPacket.decode(input) else { return false }
        let length = Int(input[2]) << 8 | Int(input[3])
        try check(packet.encoded() == Array(input.prefix(length)), "a decoded packet does not re-encode to its octets")
        try check((try? RadiusPacket.decode(packet.encoded())) == packet, "a re-encoded packet decodes differently")
        let signed = packet.hasValidMessageAuthenticator(secret: Self.secret)
        if let hidden = packet.attribute(.userPassword) {
            _ = RadiusPacket.revealPassword(hidden, secret: Self.secret, requestAuthenticator: packet.authenticator)
        }
        let reply = RadiusPacket.reply(to: packet, code: .accessChallenge, attributes: Array(packet.attributes.prefix(4)), secret: Self.secret)
        let decodedReply = try? RadiusPacket.decode(reply)
        try check(decodedReply?.hasValidResponseAuthenticator(requestAuthenticator: packet.authenticator, secret: Self.secret) == true,
                  "a reply does not carry a valid Response Authenticator")
        return signed || packet.code == .accessRequest
    }
}
