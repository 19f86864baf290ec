import Foundation

/// The browser's `clientDataJSON` (WebAuthn Level 3 §5.8.1), parsed and checked against the
/// ceremony the server started.
public struct CollectedClientData: Sendable, Equatable {
    /// The ceremony a client data belongs to.
    public enum Ceremony: String, Sendable {
        case create = "webauthn.create"
        case get = "webauthn.get"
    }

    public let type: String
    /// The challenge as the browser echoed it (base64url text).
    public let challenge: String
    public let origin: String
    public let crossOrigin: Bool
    public let topOrigin: String?

    /// The longest client data accepted.
    public static let maxLength = 16 * 1024

    private struct Wire: Decodable {
        var type: String
        var challenge: String
        var origin: String
        var crossOrigin: Bool?
        var topOrigin: String?
    }

    /// Parses client data JSON; malformed input is a 400-class error.
    public init(_ json: [UInt8]) throws(TandemError) {
        guard json.count <= Self.maxLength else { throw WebAuthnRejection.malformedClientData.error }
        guard let wire = try? JSONDecoder().decode(Wire.self, from: Data(json)) else { throw WebAuthnRejection.malformedClientData.error }
        type = wire.type
        challenge = wire.challenge
        origin = wire.origin
        crossOrigin = wire.crossOrigin ?? false
        topOrigin = wire.topOrigin
    }

    /// Checks type, challenge (constant time), origin and that the ceremony was not run in a cross-origin frame.
    public func check(_ ceremony: Ceremony, challenge expected: [UInt8], origins: [String]) throws(TandemError) {
        guard type == ceremony.rawValue else { throw WebAuthnRejection.wrongType.error }
        guard let echoed = Base64URL.decode(challenge), ConstantTime.equals(echoed, expected), !expected.isEmpty else {
            throw WebAuthnRejection.challengeMismatch.error
        }
        guard origins.contains(origin) else { throw WebAuthnRejection.originMismatch.error }
        guard !crossOrigin else { throw WebAuthnRejection.crossOrigin.error }
    }
}
