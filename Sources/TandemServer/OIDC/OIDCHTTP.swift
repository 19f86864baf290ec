import Foundation
import Hummingbird
import Mustache
import NIOCore
import TandemCore
import TandemServices

/// Request parsing and responses shared by the OIDC endpoints.
enum OIDCHTTP {
    /// Parameters of a query string or a form body. OAuth parameters must not repeat (RFC 6749
    /// §3.1), so repeats are reported rather than silently resolved.
    struct Parameters {
        var values: [String: String] = [:]
        var repeated: Set<String> = []
        var malformed = false
    }

    static func parse(_ text: String) -> Parameters {
        var parsed = Parameters()
        for pair in text.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = decode(parts[0]), let value = parts.count > 1 ? decode(parts[1]) : "" else {
                parsed.malformed = true
                continue
            }
            if parsed.values[name] != nil { parsed.repeated.insert(name) } else { parsed.values[name] = value }
        }
        return parsed
    }

    static func decode(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    static func query(_ request: Request) -> Parameters {
        parse(request.uri.query ?? "")
    }

    /// A form body (`application/x-www-form-urlencoded`, at most 64 KiB), or `invalid_request`.
    static func form(_ request: Request) async throws -> Parameters {
        guard let type = request.headers[.contentType]?.lowercased(), type.hasPrefix("application/x-www-form-urlencoded") else {
            throw OAuthError(.invalidRequest, "The body must be application/x-www-form-urlencoded.")
        }
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 64 * 1024) } catch {
            throw OAuthError(.invalidRequest, "The body is too large.")
        }
        let parsed = parse(String(buffer: buffer))
        if parsed.malformed { throw OAuthError(.invalidRequest, "The body is not valid form encoding.") }
        if let name = parsed.repeated.sorted().first { throw OAuthError(.invalidRequest, "\(name) must not be repeated.") }
        return parsed
    }

    /// `Authorization: Basic` for client_secret_basic: base64 of form-encoded id `:` secret (RFC 6749 §2.3.1).
    static func basicCredentials(_ request: Request) throws -> (id: String, secret: String)? {
        guard let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") else { return nil }
        guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
              let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":"),
              let id = decode(text[..<colon]), let secret = decode(text[text.index(after: colon)...])
        else { throw OAuthError(.invalidClient, "The Authorization header is not valid Basic credentials.") }
        return (id, secret)
    }

    /// `Authorization: Bearer …`, or nil.
    static func bearer(_ request: Request) -> String? {
        guard let header = request.headers[.authorization], header.count > 7, header.lowercased().hasPrefix("bearer ") else { return nil }
        return String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// A JSON answer that no cache keeps (RFC 6749 §5.1).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store", .init("Pragma")!: "no-cache"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A JSON object with values of mixed types (discovery).
    static func object(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return Response(status: .ok, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "public, max-age=300",
                                               .accessControlAllowOrigin: "*"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    struct ErrorBody: Encodable {
        var error: String
        var errorDescription: String
        enum CodingKeys: String, CodingKey { case error, errorDescription = "error_description" }
    }

    /// RFC 6749 §5.2: `{"error","error_description"}`; 401 with a challenge for `invalid_client`.
    static func error(_ error: OAuthError, status: HTTPResponse.Status, basicUsed: Bool = false) -> Response {
        var response = json(ErrorBody(error: error.code.rawValue, errorDescription: error.message), status: status)
        if status == .unauthorized {
            response.headers[.wwwAuthenticate] = basicUsed || error.code == .invalidClient ? "Basic realm=\"tandem\"" : "Bearer realm=\"tandem\""
        }
        return response
    }

    /// The token endpoint's statuses: 401 for `invalid_client`, 400 for the rest (RFC 6749 §5.2).
    static func tokenStatus(_ code: OAuthError.Code) -> HTTPResponse.Status {
        switch code {
        case .invalidClient: .unauthorized
        case .serverError: .internalServerError
        case .temporarilyUnavailable: .serviceUnavailable
        default: .badRequest
        }
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .found, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// Query-component encoding.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    // MARK: pages

    static let logoutTemplate = try! MustacheTemplate(string: """
    <h1>Sign out?</h1>
    <p id="message">An application asked Tandem to sign you out{{#user}} of {{user}}{{/user}}.</p>
    <form method="post" action="/oauth2/logout">
      {{#fields}}<input type="hidden" name="{{name}}" value="{{value}}">{{/fields}}
      <input type="hidden" name="confirm" value="yes">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <button type="submit" id="signout">Sign out</button>
    </form>
    <p><a href="/">Stay signed in</a></p>
    """)

    /// OIDC Core §3.1.2.4: the signed-in person sees what the application asks for and decides.
    static let consentTemplate = try! MustacheTemplate(string: """
    <h1>Allow {{application}} to act as you?</h1>
    <p id="message">You are signed in as {{user}}. <strong>{{application}}</strong> asks for:</p>
    <ul id="scopes">{{#scopes}}<li><code>{{name}}</code>: {{description}}</li>{{/scopes}}</ul>
    <p>Allow only an application you trust and expected to ask for this. You can withdraw the consent later.</p>
    <form method="post" action="/oauth2/authorize/consent">
      <input type="hidden" name="request" value="{{handle}}">
      <input type="hidden" name="csrf" value="{{csrf}}">
      <button type="submit" name="decision" value="allow" id="allow">Allow</button>
      <button type="submit" name="decision" value="deny" id="deny">Cancel</button>
    </form>
    """)

    /// What each consent scope lets the application do, in words.
    static let scopeDescriptions = [
        OIDCTokenIssuer.adminScope: "use the Tandem admin API with your administrator roles (users, methods, policy)",
    ]

    static let layout = try! MustacheTemplate(string: PageTemplates.layout)

    /// An HTML page in Tandem's layout, for templates the OIDC endpoints own.
    static func page(_ template: MustacheTemplate, title: String, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let html = layout.render(["title": title, "content": template.render(values)])
        return Response(status: status, headers: [.contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                                                  .init("X-Frame-Options")!: "DENY", .init("Referrer-Policy")!: "no-referrer"],
                        body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}
