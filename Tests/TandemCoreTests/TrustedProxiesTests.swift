import TandemCore
import Testing

@Suite("Trusted proxies: who the client is behind reverse proxies")
struct TrustedProxiesTests {
    static let proxies = TrustedProxies([CIDR("10.0.0.0/8")!, CIDR("2001:db8:ffff::/48")!])

    @Test("Headers from a peer that is not a trusted proxy are ignored")
    func untrustedPeer() {
        #expect(Self.proxies.clientAddress(peer: "192.0.2.5", forwarded: ["for=198.51.100.1"], forwardedFor: ["198.51.100.1"]) == "192.0.2.5")
        #expect(TrustedProxies([]).clientAddress(peer: "10.0.0.1", forwarded: [], forwardedFor: ["198.51.100.1"]) == "10.0.0.1")
    }

    @Test("X-Forwarded-For is walked right to left to the first hop that is not a trusted proxy",
          arguments: [
              (["198.51.100.7"], "198.51.100.7"),
              (["203.0.113.9, 198.51.100.7"], "198.51.100.7"),          // the client's own claim further left is not believed
              (["198.51.100.8, 10.1.2.3, 10.9.9.9"], "198.51.100.8"),    // a chain of trusted proxies
              (["198.51.100.8", "10.1.2.3"], "198.51.100.8"),            // the same over two headers
              (["10.1.2.3"], "10.1.2.3"),                                 // only proxies: the leftmost
              (["garbage"], "10.0.0.1"),                                  // unparseable: stop at the reporting proxy
              (["198.51.100.1, unknown"], "10.0.0.1"),
              ([" 198.51.100.9:8080 "], "198.51.100.9"),                 // a port, blanks
              (["198.51.100.1,"], "10.0.0.1"),                            // an empty hop
          ])
    func forwardedFor(headers: [String], client: String) {
        #expect(Self.proxies.clientAddress(peer: "10.0.0.1", forwarded: [], forwardedFor: headers) == client)
    }

    @Test("RFC 7239 Forwarded: for= with quoted IPv6 and ports, other parameters, and precedence over X-Forwarded-For",
          arguments: [
              ("for=192.0.2.60;proto=http;by=203.0.113.43", "192.0.2.60"),
              (#"for="[2001:db8:cafe::17]:4711""#, "2001:db8:cafe::17"),
              ("for=198.51.100.3, for=10.2.2.2", "198.51.100.3"),
              (#"for=198.51.100.3, for="[2001:db8:ffff::1]""#, "198.51.100.3"),
              ("for=unknown", "10.0.0.1"),
              ("for=_hidden, for=198.51.100.4", "198.51.100.4"),
              ("proto=https", "10.0.0.1"),
              (#"for="198.51.100.5:80";host="a;b,c""#, "198.51.100.5"),
          ])
    func forwarded(header: String, client: String) {
        #expect(Self.proxies.clientAddress(peer: "10.0.0.1", forwarded: [header], forwardedFor: ["203.0.113.1"]) == client)
    }

    @Test("--trusted-proxy values: CIDRs or addresses, comma-separated or repeated; a bad one is named")
    func parse() throws {
        let parsed = try TrustedProxies.parse(["10.0.0.0/8,192.0.2.1", "::1"]).get()
        #expect(parsed.networks.count == 3)
        #expect(parsed.isTrusted("192.0.2.1") && parsed.isTrusted("::1") && !parsed.isTrusted("192.0.2.2"))
        #expect(throws: TrustedProxies.BadValue(value: "10.0.0.0/33")) { try TrustedProxies.parse(["10.0.0.0/33"]).get() }
    }
}
