import Foundation

/// An activation link from the security-info page: `<server>/device/v1/activate?code=CODE`.
public struct ActivationLink: Sendable, Equatable {
    /// The path every activation link ends with.
    public static let activatePath = "/device/v1/activate"

    /// The server's base URL: everything before `/device/v1/activate` (no trailing slash).
    public var serverURL: URL
    /// The single-use activation code.
    public var code: String

    /// Parses a link; throws `.invalidActivationURL` with what is wrong.
    public init(parsing text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard let components = URLComponents(string: trimmed),
              let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = components.host, !host.isEmpty
        else { throw Self.invalid("expected an http(s) URL like https://id.example.com/device/v1/activate?code=CODE") }
        // The host as DNS sees it (IDNA for Unicode names). A percent sign left in it is no host name, and
        // Foundation decodes such a host once more when the URL is printed, naming another server.
        guard let encodedHost = components.encodedHost, !encodedHost.isEmpty, !encodedHost.contains("%") else {
            throw Self.invalid("malformed server address")
        }
        guard components.fragment == nil else { throw Self.invalid("unexpected '#' part") }
        guard components.user == nil, components.password == nil else { throw Self.invalid("credentials in the URL") }
        let path = components.percentEncodedPath
        guard path.hasSuffix(Self.activatePath) else {
            throw Self.invalid("the path must end with \(Self.activatePath)")
        }
        let items = components.queryItems ?? []
        let codes = items.filter { $0.name == "code" }
        guard codes.count == 1, let code = codes[0].value, !code.isEmpty else {
            throw Self.invalid("missing code=… parameter")
        }
        guard code.utf8.count <= 256, code.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Self.invalid("malformed code")
        }
        var base = URLComponents()
        base.scheme = scheme
        base.encodedHost = encodedHost
        base.port = components.port
        base.percentEncodedPath = String(path.dropLast(Self.activatePath.count))
        guard let serverURL = base.url else { throw Self.invalid("malformed server address") }
        self.serverURL = serverURL
        self.code = code
    }

    private static func invalid(_ reason: String) -> AuthenticatorError {
        AuthenticatorError(.invalidActivationURL, "invalid activation link: \(reason)")
    }
}
