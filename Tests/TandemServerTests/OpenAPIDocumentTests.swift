import AuthenticatorKit
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import TandemCore
import TandemServer
import TandemTesting
import Testing

/// The OpenAPI document (docs/openapi.json) that schemathesis checks the live server against, and
/// the bad inputs the fuzzers found (docs/decisions/0009-bad-input.md).
@Suite("OpenAPI document and fuzz findings")
struct OpenAPIDocumentTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("GET /openapi.json serves docs/openapi.json byte for byte")
    func servedDocumentIsTheCheckedInOne() async throws {
        let checkedIn = try Data(contentsOf: Self.root.appendingPathComponent("docs/openapi.json"))
        try await TestServer.run { _, client in
            let response = try await client.execute(uri: "/openapi.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(Data(buffer: response.body) == checkedIn, "run tests/fuzz/embed_openapi.py after editing docs/openapi.json")
        }
    }

    @Test("The document names every device and /v1.0 route the server has")
    func documentCoversTheRoutes() throws {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("docs/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["openapi"] as? String == "3.0.3")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        for path in ["/healthz", "/readyz", "/device/v1/activate", "/device/v1/pending", "/device/v1/challenges/{id}/answer", "/device/v1/phone-sign-in",
                     "/v1.0/policies/authenticationMethodsPolicy", "/v1.0/users/{id}", "/v1.0/groups/{id}/members/$ref",
                     "/v1.0/auditLogs/signIns", "/v1.0/identityProtection/riskyUsers/dismiss", "/v1.0/policies/tandemPushProtection"] {
            #expect(paths[path] != nil, "\(path) is not in docs/openapi.json")
        }
        // Every 4xx answer is the one error body.
        for (path, item) in paths {
            for (method, value) in item where method != "parameters" {
                let responses = try #require((value as? [String: Any])?["responses"] as? [String: Any], "\(method) \(path)")
                for (status, response) in responses where status.hasPrefix("4") {
                    let text = String(describing: response)
                    #expect(text.contains("#/components/responses/") || text.contains("#/components/schemas/Error"), "\(method) \(path) \(status)")
                }
            }
        }
    }

    /// Found by `tandem-fuzz` (target graph-policy-patch): Foundation's JSON5 scanner trapped on an
    /// invalid UTF-8 byte where an object key starts, which would have ended the server process.
    @Test("A Graph body with invalid UTF-8 where a key starts is a 400, not a crash")
    func invalidUTF8InAGraphBody() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            let body = ByteBuffer(bytes: [0x7B, 0xF8, 0x22, 0x62, 0x22, 0x3A, 0x32, 0x7D])   // {\xF8"b":2}
            for uri in ["/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/microsoftAuthenticator",
                        "/v1.0/policies/tandemPushProtection", "/v1.0/users/alice@contoso.com"] {
                let response = try await client.execute(uri: uri, method: .patch,
                                                        headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: body)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(response.graphError?.code == "Request_BadRequest")
            }
        }
    }

    /// Found by `tandem-fuzz` (target cidr): with U+06DD (a prepend mark) before ":", `CIDR`'s
    /// IPv6 parser recursed until the stack overflowed, which ended the server process.
    @Test("A network range with a prepend mark before a colon is a 400, not a stack overflow")
    func prependMarkInARange() async throws {
        #expect(CIDR("\u{06DD}:1.2.3.4/32") == nil)
        #expect(CIDR.parseAddress("\u{06DD}:1.2.3.4") == nil)
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            let location = try await graph.call(.post, "/v1.0/identity/conditionalAccess/namedLocations", token: token,
                                                body: #"{"displayName":"x","ipRanges":[{"cidrAddress":"\u06dd:1.2.3.4/32"}]}"#)
            #expect(location.status == .badRequest)
            let trusted = try await graph.call(.patch, "/v1.0/policies/mfaServiceSettings", token: token,
                                               body: #"{"trustedIPRanges":["\u06dd:1.2.3.4"]}"#)
            #expect(trusted.status == .badRequest)
        }
    }

    /// Found by `tandem-fuzz` (target activation-link): a host that still held a percent sign after
    /// parsing was decoded once more when the server URL was printed, naming another server.
    @Test("An activation link whose host keeps a percent sign is refused; a Unicode host becomes its IDNA name")
    func activationLinkHosts() throws {
        #expect(throws: AuthenticatorError.self) { try ActivationLink(parsing: "https://id%252econtoso.com/device/v1/activate?code=A") }
        #expect(throws: AuthenticatorError.self) { try ActivationLink(parsing: "https://lple.co.%5em/device/v1/activate?code=A") }
        let unicode = try ActivationLink(parsing: "https://bücher.de/tandem/device/v1/activate?code=A")
        #expect(unicode.serverURL.absoluteString == "https://xn--bcher-kva.de/tandem")
        let v6 = try ActivationLink(parsing: "https://[2001:db8::1]:8443/device/v1/activate?code=A")
        #expect(v6.serverURL.absoluteString == "https://[2001:db8::1]:8443")
    }

    /// Found by `tandem-fuzz` (target otpauth-uri): what `TOTPKeyURI` printed did not always read back.
    @Test("An otpauth URI reads back what it prints", arguments: [
        "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=",
        "otpauth://totp/:Tandem:alice?secret=JBSWY3DPEHPK3PXP",
        "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=Tandem%09%09",
    ])
    func otpauthRoundTrip(text: String) throws {
        let uri = try TOTPKeyURI(parsing: text)
        let again = try TOTPKeyURI(parsing: uri.string)
        #expect(again.issuer == uri.issuer)
        #expect(again.accountName == uri.accountName)
        #expect(uri.issuer?.isEmpty != true)
    }

    @Test("An otpauth issuer parameter with a colon is refused (it would read back as a label issuer)")
    func otpauthIssuerWithColon() {
        #expect(throws: TandemError.self) { try TOTPKeyURI(parsing: "otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP&issuer=a%3Ab") }
    }
}
