import Foundation
/// An IPv4 or IPv6 network in CIDR notation ("192.0.2.0/24", "2001:db8::/32"), for trusted IPs
/// and named networks.
public struct CIDR: Sendable, Equatable, CustomStringConvertible {
    public let address: [UInt8]
    public let prefixLength: Int

    /// Parses `text`; a bare address is a single-host network. `nil` when malformed.
    public init?(_ text: String) {
        let parts = text.trimmingCharacters(in: .whitespaces).split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count), let address = CIDR.parseAddress(String(parts[0])) else { return nil }
        let maxLength = address.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...maxLength).contains(length), parts[1].allSatisfy(\.isNumber) else { return nil }
            prefixLength = length
        } else {
            prefixLength = maxLength
        }
        self.address = address
    }

    /// Whether `ip` (text) is inside this network. Addresses of the other family never match.
    public func contains(_ ip: String) -> Bool {
        guard let other = CIDR.parseAddress(ip), other.count == address.count else { return false }
        var remaining = prefixLength
        for index in 0..<address.count where remaining > 0 {
            let bits = min(8, remaining)
            let mask: UInt8 = bits == 8 ? 0xFF : ~(0xFF >> UInt8(bits))
            if address[index] & mask != other[index] & mask { return false }
            remaining -= bits
        }
        return true
    }

    public var description: String {
        if address.count == 4 { return address.map(String.init).joined(separator: ".") + "/\(prefixLength)" }
        var groups: [String] = []
        for i in stride(from: 0, to: 16, by: 2) { groups.append(String(UInt16(address[i]) << 8 | UInt16(address[i + 1]), radix: 16)) }
        return groups.joined(separator: ":") + "/\(prefixLength)"
    }

    /// Parses a dotted IPv4 or a colon IPv6 address (with `::`, and an embedded IPv4 tail).
    public static func parseAddress(_ text: String) -> [UInt8]? {
        // ASCII only: with a prepend mark (U+06DD) before ":", Character-wise `split` and
        // Foundation's `contains` disagree, and parseIPv6 recursed without end (found by tandem-fuzz).
        guard text.utf8.allSatisfy({ $0 < 0x80 }) else { return nil }
        if text.contains(":") { return parseIPv6(text) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy(\.isASCII), part.allSatisfy(\.isNumber), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return bytes
    }

    static func parseIPv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if text.hasPrefix("[") && text.hasSuffix("]") { text = text.dropFirst().dropLast() }
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ s: String) -> [UInt8]? {
            if s.isEmpty { return [] }
            var out: [UInt8] = []
            let items = s.split(separator: ":", omittingEmptySubsequences: false)
            for (i, item) in items.enumerated() {
                if i == items.count - 1, item.contains(".") {
                    guard let v4 = parseAddress(String(item)), v4.count == 4 else { return nil }
                    out += v4
                    continue
                }
                guard (1...4).contains(item.count), let v = UInt16(item, radix: 16) else { return nil }
                out += [UInt8(v >> 8), UInt8(v & 0xFF)]
            }
            return out
        }
        guard let head = groups(halves[0]) else { return nil }
        if halves.count == 1 { return head.count == 16 ? head : nil }
        guard let tail = groups(halves[1]), head.count + tail.count < 16 else { return nil }
        return head + [UInt8](repeating: 0, count: 16 - head.count - tail.count) + tail
    }
}
