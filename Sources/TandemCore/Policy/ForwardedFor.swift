import Foundation

/// Who the client is behind reverse proxies: the `Forwarded` (RFC 7239) or `X-Forwarded-For` hops
/// are read only when the TCP peer is a trusted proxy, right to left, and the first hop that is not
/// a trusted proxy is the client. From anyone else the headers are ignored, so they cannot be
/// spoofed to pick a location, a trusted IP or another address's throttle.
public struct TrustedProxies: Sendable, Equatable {
    public let networks: [CIDR]

    public init(_ networks: [CIDR]) { self.networks = networks }

    /// Parses `--trusted-proxy` values (each a CIDR or an address, or a comma-separated list of them).
    public static func parse(_ values: [String]) -> Result<TrustedProxies, BadValue> {
        var networks: [CIDR] = []
        for value in values {
            for item in value.split(separator: ",") {
                guard let network = CIDR(String(item)) else { return .failure(BadValue(value: String(item))) }
                networks.append(network)
            }
        }
        return .success(TrustedProxies(networks))
    }

    public struct BadValue: Error, Equatable {
        public let value: String
        public init(value: String) { self.value = value }
    }

    static let blanks = CharacterSet(charactersIn: " \t")

    public func isTrusted(_ ip: String) -> Bool { networks.contains { $0.contains(ip) } }

    /// The client's address. `forwarded` and `forwardedFor` are the values of every `Forwarded`
    /// and `X-Forwarded-For` header in order; `Forwarded` wins when both are present.
    ///
    /// Walking from the peer leftwards, each hop is believed only while the hop after it is a
    /// trusted proxy; a hop that does not parse (`unknown`, an obfuscated name, garbage) ends the
    /// walk at the proxy that reported it.
    public func clientAddress(peer: String, forwarded: [String], forwardedFor: [String]) -> String {
        guard !networks.isEmpty, isTrusted(peer) else { return peer }
        let hops = forwarded.isEmpty ? Self.forwardedForHops(forwardedFor) : Self.forwardedHops(forwarded)
        var client = peer
        for hop in hops.reversed() {
            guard let address = hop, CIDR.parseAddress(address) != nil else { return client }
            client = address
            if !isTrusted(address) { return address }
        }
        return client
    }

    /// `X-Forwarded-For: client, proxy1, proxy2` → the addresses, `nil` where one is empty.
    static func forwardedForHops(_ values: [String]) -> [String?] {
        values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }.map { item in
            let text = item.trimmingCharacters(in: Self.blanks)
            return text.isEmpty ? nil : Self.stripPort(text)
        }
    }

    /// `Forwarded: for=192.0.2.60;proto=https, for="[2001:db8::17]:4711"` → the `for` addresses,
    /// `nil` for an element without a usable `for`.
    static func forwardedHops(_ values: [String]) -> [String?] {
        values.flatMap { Self.splitOutsideQuotes($0, ",") }.map { element in
            for pair in Self.splitOutsideQuotes(element, ";") {
                let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: Self.blanks) }
                guard parts.count == 2, parts[0].lowercased() == "for" else { continue }
                var value = Substring(parts[1])
                if value.hasPrefix("\""), value.hasSuffix("\""), value.count >= 2 { value = value.dropFirst().dropLast() }
                return Self.stripPort(String(value))
            }
            return nil
        }
    }

    /// `192.0.2.1:8080` → `192.0.2.1`, `[2001:db8::1]:443` → `2001:db8::1`, a bare IPv6 stays.
    static func stripPort(_ text: String) -> String {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else { return text }
            return String(text[text.index(after: text.startIndex)..<close])
        }
        let colons = text.filter { $0 == ":" }.count
        if colons == 1, let colon = text.firstIndex(of: ":") { return String(text[..<colon]) }
        return text
    }

    static func splitOutsideQuotes(_ text: String, _ separator: Character) -> [String] {
        var parts: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped { current.append(character); escaped = false; continue }
            if character == "\\" && quoted { current.append(character); escaped = true; continue }
            if character == "\"" { quoted.toggle() }
            if character == separator && !quoted {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }
}
