/// One attribute of a RADIUS packet: type, and a value of at most 253 octets (RFC 2865 §5).
public struct RadiusAttribute: Sendable, Equatable {
    /// The attribute types Tandem reads or writes (RFC 2865 §5, RFC 2869 §5.14).
    public enum Kind: UInt8, Sendable {
        case userName = 1
        case userPassword = 2
        case chapPassword = 3
        case nasIPAddress = 4
        case replyMessage = 18
        case state = 24
        case sessionTimeout = 27
        case calledStationID = 30
        case callingStationID = 31
        case nasIdentifier = 32
        case eapMessage = 79
        case messageAuthenticator = 80
    }

    /// The longest value one attribute can carry.
    public static let maximumValueLength = 253

    public var type: UInt8
    public var value: [UInt8]

    public init(type: UInt8, value: [UInt8]) {
        self.type = type
        self.value = value
    }

    public init(_ kind: Kind, _ value: [UInt8]) {
        self.init(type: kind.rawValue, value: value)
    }

    /// A text attribute (UTF-8, cut to 253 octets on a character boundary).
    public static func text(_ kind: Kind, _ text: String) -> RadiusAttribute {
        var value: [UInt8] = []
        for character in text {
            let bytes = Array(String(character).utf8)
            guard value.count + bytes.count <= maximumValueLength else { break }
            value.append(contentsOf: bytes)
        }
        return RadiusAttribute(kind, value)
    }
}
