import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle
import TandemCore

/// Small helpers for the browser's pages: forms, cookies, redirects, request context.
enum Web {
    static let flowCookie = "tandem_flow"
    static let sessionCookie = "tandem_session"
    /// "Remember multi-factor authentication on this device" (legacy MFA setting).
    static let rememberCookie = "tandem_mfa_remember"

    /// Parses an `application/x-www-form-urlencoded` body (at most 16 KiB).
    static func form(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: 16 * 1024)
        return parseForm(String(buffer: buffer))
    }

    static func parseForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ s: Substring) -> String {
                String(s).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }

    /// The CSRF token of a session: an HMAC of its cookie under the server's key
    /// (`WebSecurity`), so it needs no storage, changes with the session and cannot be computed
    /// for a planted cookie.
    static func csrfToken(session: String) -> String {
        WebSecurity.token(cookie: session, key: WebSecurity.current?.csrfKey ?? WebSecurity.processKey)
    }

    /// Refuses a form whose CSRF token does not belong to the session (constant-time comparison).
    static func checkCSRF(_ token: String?, session: String) throws {
        guard !session.isEmpty, let token, ConstantTime.equals(token, csrfToken(session: session)) else {
            throw TandemError(.forbidden, "The form has expired or did not come from this site. Reload the page and try again.")
        }
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    /// A cookie's value; on https only the `__Host-` one counts, so a cookie planted without the
    /// prefix (by a sibling subdomain or over plain http) is never read.
    static func cookie(_ name: String, _ request: Request) -> String {
        request.cookies[wireName(name, secure: WebSecurity.current?.secureCookies ?? false)]?.value ?? ""
    }

    /// `__Host-name` when the cookie is `Secure` (it has no `Domain` and path `/`, as the prefix requires).
    static func wireName(_ name: String, secure: Bool) -> String {
        secure ? "__Host-" + name : name
    }

    static func setCookie(_ response: inout Response, name: String, value: String, maxAge: Int, secure: Bool) {
        response.setCookie(Cookie(name: wireName(name, secure: secure), value: value, maxAge: maxAge, path: "/", secure: secure,
                                  httpOnly: true, sameSite: .lax))
    }

    static func clearCookie(_ response: inout Response, name: String, secure: Bool) {
        response.setCookie(Cookie(name: wireName(name, secure: secure), value: "", maxAge: 0, path: "/", secure: secure,
                                  httpOnly: true, sameSite: .lax))
    }

    /// Who asks and from where, as the authenticator will show it.
    static func challengeContext(_ request: Request, _ context: TandemRequestContext, application: String) -> ChallengeContext {
        let ip = context.clientIP
        let agent = String((request.headers[.userAgent] ?? "Unknown browser").prefix(200))
        return ChallengeContext(application: application, ipAddress: ip, location: "Unknown location", browser: agent)
    }

    /// `?wait=N` in seconds, capped at 30: a duration; the service turns it into an instant of
    /// the server's clock.
    static func waitSeconds(_ request: Request) -> TimeInterval? {
        guard let text = request.uri.queryParameters.get("wait"), let seconds = Double(text), seconds > 0, seconds.isFinite else { return nil }
        return min(seconds, 30)
    }

    /// A server-sent-events stream: calls `next` until it returns `nil` or five minutes pass.
    static func eventStream(_ next: @escaping @Sendable () async throws -> (data: String, last: Bool)?) -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
            body: .init { writer in
                // A stream's lifetime is a duration: the monotonic clock, not an instant of the store's.
                let end = ContinuousClock.now.advanced(by: .seconds(300))
                try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
                // On graceful shutdown the stream ends (the browser's EventSource reconnects).
                while ContinuousClock.now < end, !Task.isShuttingDownGracefully, let event = try? await next() {
                    try await writer.write(ByteBuffer(string: "data: \(event.data)\n\n"))
                    if event.last { break }
                }
                try await writer.finish(nil)
            })
    }

    static func json(_ value: some Encodable) -> String {
        String(decoding: (try? WireCoding.encoder().encode(value)) ?? Data("{}".utf8), as: UTF8.self)
    }
}
