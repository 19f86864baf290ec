import AuthenticatorKit
import Foundation
import TandemCore

/// The text parsers: activation links, otpauth URIs, base64url, base32, CIDR ranges, signed bytes.
enum TextTargets {
    static var all: [any FuzzTarget] { [activationLink, otpauthURI, base64URL, base32, cidr, forwarded, signedBytes] }

    static let activationLink = ClosureTarget(
        "activation-link", "ActivationLink(parsing:), the URL an authenticator scans",
        dictionary: ["http://", "https://", "HTTPS://", "ftp://", "/device/v1/activate", "?code=", "&code=", "code=", "#", "@", "user:pw@",
                     "[::1]", "[", "]", ":8080", ":99999", ":-1", "//", "/..", "%2e%2e", "%41", "xn--", "localhost", "127.0.0.1"],
        maxLength: 1024,
        seeds: ["http://127.0.0.1:8080/device/v1/activate?code=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP",
                "https://id.contoso.com/tandem/device/v1/activate?code=ABCDEFGHIJKLMNOP",
                "  https://[2001:db8::1]:8443/device/v1/activate?code=AAAA&x=1\n",
                "https://id.example.com/device/v1/activate?code=a&code=b",
                "https://user@id.example.com/device/v1/activate?code=X#frag",
                // Found by this target: a percent sign left in the host (Foundation printed another host).
                "https://id%252econtoso.com/device/v1/activate?code=A", "https://bücher.de/device/v1/activate?code=A"]
    ) { input in
        guard let link = try? ActivationLink(parsing: input.text) else { return false }
        try check((1...256).contains(link.code.utf8.count) && link.code.utf8.allSatisfy { $0 > 0x20 && $0 < 0x7F },
                  "accepted a malformed code \(link.code.debugDescription)")
        try check(["http", "https"].contains(link.serverURL.scheme ?? ""), "accepted scheme \(link.serverURL.scheme ?? "nil")")
        try check(link.serverURL.user == nil && link.serverURL.password == nil && link.serverURL.fragment == nil,
                  "the server URL kept credentials or a fragment: \(link.serverURL)")
        // The link the server would print for this server and code reads back the same.
        var query = CharacterSet.urlQueryAllowed
        query.remove(charactersIn: "&+=#%")
        let printed = link.serverURL.absoluteString + ActivationLink.activatePath + "?code="
            + (link.code.addingPercentEncoding(withAllowedCharacters: query) ?? link.code)
        let again = try? ActivationLink(parsing: printed)
        try check(again == link, "\(printed.debugDescription) reads back as \(String(describing: again)), not \(link)")
        return true
    }

    static let otpauthURI = ClosureTarget(
        "otpauth-uri", "TOTPKeyURI(parsing:), an otpauth:// key URI typed or scanned",
        dictionary: ["otpauth://", "totp/", "hotp/", "secret=", "issuer=", "algorithm=", "digits=", "period=", "SHA1", "SHA256", "SHA512",
                     "md5", "&", "?", ":", "%3A", "%20", "%", "=", "JBSWY3DPEHPK3PXP"],
        maxLength: 2100,
        seeds: ["otpauth://totp/Tandem:alice@contoso.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Tandem&algorithm=SHA1&digits=6&period=30",
                "otpauth://totp/alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&digits=8&period=60&algorithm=SHA512",
                "otpauth://totp/ACME%20Co:john.doe@email.com?secret=HXDMVJECJJWSRB3HWIZR4IFUGFTMXBOZ&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30",
                "otpauth://hotp/x?secret=JBSWY3DPEHPK3PXP&counter=1",
                // Found by this target: an empty issuer, an account with a colon, an issuer with trailing tabs.
                "otpauth://totp/a:b:c?secret=JBSWY3DPEHPK3PXP&issuer=", "otpauth://totp/:Tandem:alice?secret=JBSWY3DPEHPK3PXP",
                "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=Tandem%09%09", "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=a%3Ab"]
    ) { input in
        guard let uri = try? TOTPKeyURI(parsing: input.text) else { return false }
        try check(TOTP.allowedDigits.contains(uri.totp.digits) && TOTP.allowedPeriods.contains(uri.totp.period),
                  "accepted digits \(uri.totp.digits) period \(uri.totp.period)")
        try check(!uri.accountName.isEmpty, "accepted an empty account name")
        // What it prints, it reads back the same (within the parser's 2048-byte limit).
        let printed = uri.string
        guard printed.utf8.count <= 2048 else { return true }
        guard let again = try? TOTPKeyURI(parsing: printed) else { throw Finding("its own URI \(printed.debugDescription) does not parse") }
        try check(again.accountName == uri.accountName && again.issuer == uri.issuer && again.totp.base32Secret == uri.totp.base32Secret
                  && again.totp.digits == uri.totp.digits && again.totp.period == uri.totp.period && again.totp.algorithm == uri.totp.algorithm,
                  "\(printed.debugDescription) reads back as account \(again.accountName.debugDescription) issuer \(String(describing: again.issuer)), "
                  + "not account \(uri.accountName.debugDescription) issuer \(String(describing: uri.issuer))")
        return true
    }

    static let base64URL = ClosureTarget(
        "base64url", "Base64URL.decode / encode, every binary value on the wire",
        dictionary: ["-", "_", "+", "/", "=", "==", "A", "AA", "AAA", "AAAA", "_w", "-_-_"],
        maxLength: 2048,
        seeds: ["BPn3bMtJz3n0Pg8nXUmfyOSFGTWgZKLz0mLQt2Z1G9Mx9vXwxKz5Hhc1Ho2YfYv7oQz0lOZ3Yr4cGwW7h2kq3rQ", "AAAA", "AQID", "_-8", "", "QQ", "QUI"]
    ) { input in
        // Bytes survive the round trip.
        let encoded = Base64URL.encode(input)
        try check(Base64URL.decode(encoded) == input, "bytes \(input.count) do not survive encode/decode")
        try check(encoded.utf8.allSatisfy(Base64URL.isAlphabet), "encode produced a character outside base64url")
        // Text: accepted only when it is base64url, and then of the length it encodes.
        guard let decoded = Base64URL.decode(input.text) else { return false }
        try check(input.text.utf8.allSatisfy(Base64URL.isAlphabet), "accepted a character outside base64url in \(input.text.debugDescription)")
        try check(Base64URL.encode(decoded).utf8.count == input.text.utf8.count, "decoded \(input.text.debugDescription) to \(decoded.count) bytes")
        return true
    }

    static let base32 = ClosureTarget(
        "base32", "Base32.decode / encode: activation codes and TOTP secrets",
        dictionary: ["=", "-", " ", "0", "1", "8", "9", "a", "z", "JBSWY3DP", "AAAAAAAA", "========"],
        maxLength: 2048,
        seeds: ["JBSWY3DPEHPK3PXP", "jbsw y3dp-ehpk 3pxp", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "MZXW6YTBOI======", "A", ""]
    ) { input in
        let encoded = Base32.encode(input)
        try check(Base32.decode(encoded) == input, "bytes \(input.count) do not survive encode/decode")
        guard let decoded = Base32.decode(input.text) else { return false }
        let significant = input.text.uppercased().utf8.filter { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "-") && $0 != UInt8(ascii: "=") }
        try check(decoded.count == significant.count * 5 / 8, "decoded \(significant.count) characters to \(decoded.count) bytes")
        return true
    }

    static let cidr = ClosureTarget(
        "cidr", "CIDR(_:) and contains(_:): trusted IPs and named networks",
        dictionary: ["/", "/0", "/32", "/33", "/128", "/129", "::", ":", "::ffff:", ".", "0", "255", "256", "ffff", "fffff", "[", "]", "%eth0", "1.2.3.4"],
        maxLength: 256,
        seeds: ["192.0.2.0/24", "10.0.0.1", "0.0.0.0/0", "2001:db8::/32", "::1", "::ffff:192.0.2.1/120", "fe80::1:2:3:4:5:6/64", "[2001:db8::1]",
                "1:2:3:4:5:6:7:8", "1::", " 198.51.100.0/24 ",
                "\u{06DD}:1.2.3.4/32"]   // found by this target: a prepend mark before ":" made parseIPv6 recurse without end
    ) { input in
        let text = input.text
        _ = CIDR.parseAddress(text)
        guard let range = CIDR(text) else { return false }
        try check(range.address.count == 4 || range.address.count == 16, "address of \(range.address.count) bytes")
        try check((0...range.address.count * 8).contains(range.prefixLength), "prefix length \(range.prefixLength)")
        let printed = range.description
        try check(CIDR(printed) == range, "\(printed) does not read back as the same range")
        let address = String(printed[..<(printed.firstIndex(of: "/") ?? printed.endIndex)])
        try check(range.contains(address), "\(printed) does not contain its own address")
        _ = range.contains(text)
        return true
    }

    /// `Forwarded` / `X-Forwarded-For` from a trusted proxy: whatever the header says, the client
    /// is an address (the peer's or one of the header's), never the header's other text.
    static let forwarded = ClosureTarget(
        "forwarded", "TrustedProxies.clientAddress, the Forwarded and X-Forwarded-For headers behind a proxy",
        dictionary: ["for=", "For=", "by=", "proto=https", ";", ",", "\"", "\\", "[", "]", ":", "::", "unknown", "_hidden",
                     "10.0.0.1", "198.51.100.7", "2001:db8::1", "%", " ", "\t"],
        maxLength: 512,
        seeds: ["for=192.0.2.60;proto=http;by=203.0.113.43", "for=\"[2001:db8:cafe::17]:4711\", for=10.0.0.2",
                "203.0.113.9, 198.51.100.7, 10.1.1.1", "for=\"a;b,c\";for=198.51.100.1", "unknown, , ,"]
    ) { input in
        let proxies = TrustedProxies([CIDR("10.0.0.0/8")!])
        for (forwarded, forwardedFor) in [([input.text], []), ([], [input.text])] as [([String], [String])] {
            let client = proxies.clientAddress(peer: "10.0.0.1", forwarded: forwarded, forwardedFor: forwardedFor)
            try check(client == "10.0.0.1" || (CIDR.parseAddress(client) != nil && input.text.contains(client)),
                      "\(input.text.debugDescription) gave the client \(client.debugDescription)")
        }
        return true
    }

    /// Fields separated by U+001F: `kind, a, b, c, d, e`.
    static let signedBytes = ClosureTarget(
        "signed-bytes", "SignedBytes builders: no value can forge another line",
        dictionary: ["\u{1F}", "\n", "=", "approve", "deny", "report", "GET", "POST", "DELETE", "/device/v1/pending", "/..", "number=", "decision=",
                     "tandem-push-answer/v1", "-1", "42", "123456789"],
        maxLength: 2048,
        seeds: ["answer\u{1F}AAAAAAAAAAAAAAAAAAAAAA\u{1F}bm9uY2U\u{1F}ZGV2aWNl\u{1F}approve\u{1F}42",
                "answer\u{1F}AAAA\u{1F}BBBB\u{1F}CCCC\u{1F}deny\u{1F}",
                "connect\u{1F}ZGV2aWNl\u{1F}bm9uY2Vub25jZQ",
                "request\u{1F}GET\u{1F}/device/v1/pending\u{1F}ZGV2aWNl\u{1F}1800000000",
                "phone\u{1F}ZGV2aWNl\u{1F}BPn3bMtJz3n0Pg8nXUmfyOSFGTWgZKLz0mLQt2Z1G9Mx9vXwxKz5Hhc1Ho2YfYv7oQz0lOZ3Yr4cGwW7h2kq3rQ",
                "requestV2\u{1F}POST\u{1F}/device/v1/phone-sign-in\u{1F}ZGV2aWNl\u{1F}1800000000\u{1F}cmVxdWVzdC1ub25jZS0xMjM\u{1F}{\"a\":1}",
                "keyChange\u{1F}ZGV2aWNl\u{1F}bm9uY2Vub25jZQ\u{1F}BPn3bMtJz3n0Pg8nXUmfyOSFGTWgZKLz0mLQt2Z1G9Mx9vXwxKz5Hhc1Ho2YfYv7oQz0lOZ3Yr4cGwW7h2kq3rQ"]
    ) { input in
        let fields = input.text.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        func field(_ i: Int) -> String { i < fields.count ? fields[i] : "" }
        let bytes: [UInt8]?
        let expected: [(String, String)]
        switch field(0) {
        case "answer":
            let decision = AnswerDecision(rawValue: field(4)) ?? .deny
            let number = fields.count > 5 ? field(5) : nil
            bytes = SignedBytes.answer(challengeID: field(1), nonce: field(2), deviceID: field(3), decision: decision, number: number)
            expected = [("challenge", field(1)), ("nonce", field(2)), ("device", field(3)), ("decision", decision.rawValue),
                        ("number", decision == .approve ? (number ?? "") : "")]
            if bytes != nil, decision == .approve { try check(NumberMatch.isWellFormed(number ?? ""), "signed an approval with number \(String(describing: number))") }
        case "connect":
            bytes = SignedBytes.connect(deviceID: field(1), nonce: field(2))
            expected = [("device", field(1)), ("nonce", field(2))]
        case "requestV2":
            let time = Int64(field(4)) ?? -1
            let body = Array(field(6).utf8)
            bytes = SignedBytes.requestV2(method: field(1), path: field(2), deviceID: field(3), time: time, nonce: field(5), body: body)
            expected = [("method", field(1)), ("path", field(2)), ("device", field(3)), ("time", String(time)), ("nonce", field(5)),
                        ("body", SignedBytes.bodyDigest(body))]
        case "keyChange":
            bytes = SignedBytes.keyChange(deviceID: field(1), nonce: field(2), change: .phoneSignIn, publicKey: field(3))
            expected = [("device", field(1)), ("nonce", field(2)), ("change", "phoneSignIn"), ("key", field(3))]
        case "request":
            let time = Int64(field(4)) ?? -1
            bytes = SignedBytes.request(method: field(1), path: field(2), deviceID: field(3), time: time)
            expected = [("method", field(1)), ("path", field(2)), ("device", field(3)), ("time", String(time))]
        default:
            bytes = SignedBytes.phoneSignIn(deviceID: field(1), publicKey: field(2))
            expected = [("device", field(1)), ("key", field(2))]
        }
        guard let bytes else { return false }
        // The canonical text reads back as exactly the fields that went in: one `name=value` line each.
        try check(bytes.allSatisfy { $0 < 0x80 }, "non-ASCII signed bytes")
        let lines = bytes.split(separator: 10, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        try check(bytes.last == 10 && lines.count == expected.count + 2, "\(lines.count - 1) lines for \(expected.count) fields")
        for (line, (name, value)) in zip(lines.dropFirst(), expected) {
            let parts = line.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            try check(parts.count == 2 && parts[0] == name && parts[1] == value && !value.contains("="), "line \(line.debugDescription) for \(name)")
        }
        return true
    }
}
