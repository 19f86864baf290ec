import Foundation

/// One RADIUS packet (RFC 2865 §3): code, identifier, the 16-byte authenticator and the
/// attributes in the order they came. A pure value: decoding never traps on network input (a
/// malformed datagram throws `TandemError(.badRequest)` with the reason), and encoding a decoded
/// packet gives back exactly the bytes covered by its length field.
public struct RadiusPacket: Sendable, Equatable {
    /// The packet types Tandem reads or writes.
    public enum Code: UInt8, Sendable {
        case accessRequest = 1
        case accessAccept = 2
        case accessReject = 3
        case accountingRequest = 4
        case accountingResponse = 5
        case accessChallenge = 11
        case statusServer = 12
        case statusClient = 13
    }

    /// RFC 2865 §3: a packet is 20 to 4096 octets.
    public static let minimumLength = 20
    public static let maximumLength = 4096

    public var code: Code
    public var identifier: UInt8
    /// The Request Authenticator (16 random octets from the client), or a reply's Response Authenticator.
    public var authenticator: [UInt8]
    public var attributes: [RadiusAttribute]

    public init(code: Code, identifier: UInt8, authenticator: [UInt8], attributes: [RadiusAttribute] = []) {
        self.code = code
        self.identifier = identifier
        self.authenticator = authenticator
        self.attributes = attributes
    }

    /// Decodes a datagram. Octets past the length field are padding and ignored (§3); a datagram
    /// shorter than its length field, a length outside 20–4096, an attribute shorter than 2 octets
    /// or running past the end, and an unknown code are refused.
    public static func decode(_ datagram: some Collection<UInt8>) throws(TandemError) -> RadiusPacket {
        let bytes = Array(datagram)
        guard bytes.count >= minimumLength else { throw TandemError(.badRequest, "RADIUS packet shorter than 20 octets") }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard (minimumLength...maximumLength).contains(length) else { throw TandemError(.badRequest, "RADIUS length field out of range") }
        guard bytes.count >= length else { throw TandemError(.badRequest, "RADIUS packet shorter than its length field") }
        guard let code = Code(rawValue: bytes[0]) else { throw TandemError(.badRequest, "unknown RADIUS code") }
        var attributes: [RadiusAttribute] = []
        var offset = minimumLength
        while offset < length {
            guard offset + 2 <= length else { throw TandemError(.badRequest, "RADIUS attribute header cut short") }
            let attributeLength = Int(bytes[offset + 1])
            guard attributeLength >= 2, offset + attributeLength <= length else {
                throw TandemError(.badRequest, "RADIUS attribute length out of range")
            }
            attributes.append(RadiusAttribute(type: bytes[offset], value: Array(bytes[(offset + 2)..<(offset + attributeLength)])))
            offset += attributeLength
        }
        return RadiusPacket(code: code, identifier: bytes[1], authenticator: Array(bytes[4..<20]), attributes: attributes)
    }

    /// The wire form. Attribute values longer than 253 octets cannot be encoded (the caller splits
    /// them); they are cut to 253 here so encoding never fails.
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        for attribute in attributes {
            let value = attribute.value.prefix(RadiusAttribute.maximumValueLength)
            body.append(attribute.type)
            body.append(UInt8(value.count + 2))
            body.append(contentsOf: value)
        }
        let length = Self.minimumLength + body.count
        var bytes: [UInt8] = [code.rawValue, identifier, UInt8(truncatingIfNeeded: length >> 8), UInt8(truncatingIfNeeded: length)]
        bytes.append(contentsOf: authenticator.prefix(16))
        bytes.append(contentsOf: [UInt8](repeating: 0, count: max(0, 16 - authenticator.count)))
        bytes.append(contentsOf: body)
        return bytes
    }

    /// The first attribute of `type`.
    public func attribute(_ type: RadiusAttribute.Kind) -> [UInt8]? {
        attributes.first { $0.type == type.rawValue }?.value
    }

    /// How many attributes of `type` the packet carries.
    public func count(_ type: RadiusAttribute.Kind) -> Int {
        attributes.reduce(0) { $0 + ($1.type == type.rawValue ? 1 : 0) }
    }

    /// The first attribute of `type` as UTF-8 text (invalid sequences repaired), if present.
    public func text(_ type: RadiusAttribute.Kind) -> String? {
        attribute(type).map { String(decoding: $0, as: UTF8.self) }
    }
}
