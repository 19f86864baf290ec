import Foundation

/// The rule for a push subscription's endpoint (the SSRF rule of issue 13,
/// docs/decisions/0023-web-push.md): the server POSTs to it, so it must be an https URL of a
/// public host. Pure: `parse` checks the text; `classify` says what an address the host
/// resolved to is (the resolving is the caller's).
public struct WebPushEndpoint: Sendable, Equatable {
    /// `https` (or `http` where loopback endpoints are allowed, in tests).
    public let scheme: String
    /// The host, lower case; an IPv6 literal without its brackets.
    public let host: String
    public let port: Int
    /// `scheme://host[:port]`: the VAPID audience (RFC 8292 §2), and what logs may show.
    public let origin: String

    /// The longest endpoint accepted (browsers' endpoints are 100–500 characters).
    public static let maximumLength = 2048

    /// Parses an endpoint: an absolute `https` URL (or `http` when `allowHTTP`) with a host, no
    /// user name or password and no fragment, at most `maximumLength` characters of ASCII.
    public static func parse(_ text: String, allowHTTP: Bool) throws -> WebPushEndpoint {
        guard text.utf8.count <= maximumLength, text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }),
              let components = URLComponents(string: text), let rawScheme = components.scheme?.lowercased()
        else { throw TandemError(.badRequest, "endpoint must be an absolute https URL of at most \(maximumLength) characters.") }
        guard rawScheme == "https" || (allowHTTP && rawScheme == "http") else {
            throw TandemError(.badRequest, "endpoint must be an https URL.")
        }
        guard components.user == nil, components.password == nil, components.fragment == nil else {
            throw TandemError(.badRequest, "endpoint must not carry a user name, password or fragment.")
        }
        guard var host = components.host?.lowercased(), !host.isEmpty else { throw TandemError(.badRequest, "endpoint has no host.") }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let defaultPort = rawScheme == "https" ? 443 : 80
        let port = components.port ?? defaultPort
        guard (1...65_535).contains(port) else { throw TandemError(.badRequest, "endpoint has a bad port.") }
        let shownHost = host.contains(":") ? "[\(host)]" : host
        let origin = "\(rawScheme)://\(shownHost)" + (port == defaultPort ? "" : ":\(port)")
        return WebPushEndpoint(scheme: rawScheme, host: host, port: port, origin: origin)
    }

    /// What an address is, for the SSRF rule.
    public enum AddressKind: Sendable, Equatable {
        /// A public unicast address: allowed.
        case `public`
        /// 127.0.0.0/8 or ::1: allowed only with the test-only option.
        case loopback
        /// Private, link-local, unique-local, shared, multicast, reserved or unspecified: never allowed.
        case restricted
    }

    /// Classifies an IPv4 or IPv6 address (text); text that is no address is `restricted`.
    /// IPv4-mapped (::ffff:0:0/96) and NAT64 (64:ff9b::/96) addresses are judged by their IPv4 part.
    public static func classify(_ address: String) -> AddressKind {
        guard let bytes = CIDR.parseAddress(address) else { return .restricted }
        return classify(bytes: bytes)
    }

    static func classify(bytes: [UInt8]) -> AddressKind {
        if bytes.count == 16 {
            let mapped = Array(repeating: UInt8(0), count: 10) + [0xFF, 0xFF]
            let nat64: [UInt8] = [0x00, 0x64, 0xFF, 0x9B] + Array(repeating: 0, count: 8)
            if Array(bytes[0..<12]) == mapped || Array(bytes[0..<12]) == nat64 { return classify(bytes: Array(bytes[12..<16])) }
            if bytes == Array(repeating: 0, count: 15) + [1] { return .loopback }
            return restrictedV6.contains { $0.contains(bytes) } ? .restricted : .public
        }
        guard bytes.count == 4 else { return .restricted }
        if bytes[0] == 127 { return .loopback }
        return restrictedV4.contains { $0.contains(bytes) } ? .restricted : .public
    }

    /// IPv4 ranges that are not public unicast (RFC 6890 and the IANA special-purpose registry).
    static let restrictedV4 = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24", "192.0.2.0/24",
        "192.88.99.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
    ].map(Network.init)

    /// IPv6 ranges that are not public unicast: unspecified, discard, documentation, ORCHID, 6to4 (judged
    /// by nobody here, so refused), unique local (fc00::/7, the ULA), link-local, site-local, multicast.
    static let restrictedV6 = [
        "::/128", "100::/64", "2001:db8::/32", "2001:10::/28", "2001:20::/28", "2002::/16", "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].map(Network.init)

    /// A network over bytes (the CIDR text is known good).
    struct Network: Sendable {
        let prefix: [UInt8]
        let length: Int
        init(_ text: String) {
            let cidr = CIDR(text)!
            prefix = cidr.address
            length = cidr.prefixLength
        }
        func contains(_ bytes: [UInt8]) -> Bool {
            guard bytes.count == prefix.count else { return false }
            var remaining = length
            for index in 0..<prefix.count where remaining > 0 {
                let bits = min(8, remaining)
                let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
                if prefix[index] & mask != bytes[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }
}
