import Crypto

/// The shared-secret cryptography of RADIUS: User-Password hiding (RFC 2865 §5.2), the Response
/// Authenticator (§3) and Message-Authenticator (HMAC-MD5, RFC 3579 §3.2 / RFC 2869 §5.14), which
/// Tandem requires on every Access-Request and sends first in every reply (Blast-RADIUS,
/// CVE-2024-3596). MD5 is what the protocol prescribes, not a choice.
extension RadiusPacket {
    /// Reveals a hidden User-Password: 16 to 128 octets, a multiple of 16; trailing NULs removed.
    /// `nil` when the length is wrong.
    public static func revealPassword(_ hidden: [UInt8], secret: [UInt8], requestAuthenticator: [UInt8]) -> [UInt8]? {
        guard (16...128).contains(hidden.count), hidden.count % 16 == 0, requestAuthenticator.count == 16 else { return nil }
        var plain: [UInt8] = []
        var previous = requestAuthenticator
        for start in stride(from: 0, to: hidden.count, by: 16) {
            let block = Array(hidden[start..<(start + 16)])
            let pad = Array(Insecure.MD5.hash(data: secret + previous))
            plain.append(contentsOf: zip(block, pad).map { $0 ^ $1 })
            previous = block
        }
        while plain.last == 0 { plain.removeLast() }
        return plain
    }

    /// Hides a password as a client does (for tests and the fuzz harness): NUL-padded to a
    /// multiple of 16, at most 128 octets.
    public static func hidePassword(_ password: [UInt8], secret: [UInt8], requestAuthenticator: [UInt8]) -> [UInt8] {
        var padded = Array(password.prefix(128))
        if padded.isEmpty || padded.count % 16 != 0 { padded += [UInt8](repeating: 0, count: 16 - padded.count % 16) }
        var hidden: [UInt8] = []
        var previous = requestAuthenticator
        for start in stride(from: 0, to: padded.count, by: 16) {
            let pad = Array(Insecure.MD5.hash(data: secret + previous))
            let block = zip(padded[start..<(start + 16)], pad).map { $0 ^ $1 }
            hidden.append(contentsOf: block)
            previous = block
        }
        return hidden
    }

    /// HMAC-MD5 over the packet as encoded with `authenticator` in the header and the
    /// Message-Authenticator's value set to 16 zero octets.
    static func messageAuthenticator(of packet: RadiusPacket, authenticator: [UInt8], secret: [UInt8]) -> [UInt8] {
        var zeroed = packet
        zeroed.authenticator = authenticator
        zeroed.attributes = packet.attributes.map {
            $0.type == RadiusAttribute.Kind.messageAuthenticator.rawValue ? RadiusAttribute(.messageAuthenticator, [UInt8](repeating: 0, count: 16)) : $0
        }
        return Array(HMAC<Insecure.MD5>.authenticationCode(for: zeroed.encoded(), using: SymmetricKey(data: secret)))
    }

    /// Whether the request carries exactly one Message-Authenticator of 16 octets and it is right
    /// for `secret` (compared in constant time).
    public func hasValidMessageAuthenticator(secret: [UInt8]) -> Bool {
        guard count(.messageAuthenticator) == 1, let value = attribute(.messageAuthenticator), value.count == 16 else { return false }
        return ConstantTime.equals(value, Self.messageAuthenticator(of: self, authenticator: authenticator, secret: secret))
    }

    /// Signs a request as a client does (tests, the fuzz harness): sets its Message-Authenticator
    /// (adding it first when absent).
    public func signedRequest(secret: [UInt8]) -> RadiusPacket {
        var packet = self
        if packet.count(.messageAuthenticator) == 0 {
            packet.attributes.insert(RadiusAttribute(.messageAuthenticator, [UInt8](repeating: 0, count: 16)), at: 0)
        }
        let mac = Self.messageAuthenticator(of: packet, authenticator: packet.authenticator, secret: secret)
        packet.attributes = packet.attributes.map { $0.type == RadiusAttribute.Kind.messageAuthenticator.rawValue ? RadiusAttribute(.messageAuthenticator, mac) : $0 }
        return packet
    }

    /// The reply to `request`: `code` and `attributes` after a Message-Authenticator (first, as
    /// the Blast-RADIUS advice asks), signed with the request's authenticator, then the Response
    /// Authenticator MD5(Code+ID+Length+RequestAuth+Attributes+Secret). Returns the wire bytes.
    public static func reply(to request: RadiusPacket, code: Code, attributes: [RadiusAttribute], secret: [UInt8]) -> [UInt8] {
        var reply = RadiusPacket(code: code, identifier: request.identifier, authenticator: request.authenticator,
                                 attributes: [RadiusAttribute(.messageAuthenticator, [UInt8](repeating: 0, count: 16))]
                                     + attributes.filter { $0.type != RadiusAttribute.Kind.messageAuthenticator.rawValue })
        reply.attributes[0].value = messageAuthenticator(of: reply, authenticator: request.authenticator, secret: secret)
        var bytes = reply.encoded()
        let response = Array(Insecure.MD5.hash(data: bytes + secret))
        bytes.replaceSubrange(4..<20, with: response)
        return bytes
    }

    /// Whether a reply's Response Authenticator is right for the request it answers (what a
    /// client checks; used by the tests).
    public func hasValidResponseAuthenticator(requestAuthenticator: [UInt8], secret: [UInt8]) -> Bool {
        var unsigned = self
        unsigned.authenticator = requestAuthenticator
        return ConstantTime.equals(authenticator, Array(Insecure.MD5.hash(data: unsigned.encoded() + secret)))
    }
}
