import Hummingbird

/// The outermost middleware: makes the server's `WebSecurity` current for the request and adds
/// the headers every response carries (issue 10, finding 13), error pages included.
///
/// - `Content-Security-Policy`: scripts, styles, connections and forms from this origin only, no
///   inline script or style, no plugins, never framed (`frame-ancestors 'none'`, clickjacking),
///   no `<base>`; the pages keep their scripts in `/static/` (`PageScripts`).
/// - `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer` (authorization codes and
///   activation links never leak in a Referer), `X-Frame-Options: DENY` for older browsers.
/// - `Strict-Transport-Security` when the public URL is https.
///
/// A header a handler set itself is left as it is.
struct SecurityHeadersMiddleware<Context: RequestContext>: RouterMiddleware {
    let security: WebSecurity

    static var contentSecurityPolicy: String {
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
            + "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response = try await WebSecurity.$current.withValue(security) { try await next(request, context) }
        var headers: HTTPFields = [
            .contentSecurityPolicy: Self.contentSecurityPolicy,
            .init("X-Content-Type-Options")!: "nosniff",
            .init("X-Frame-Options")!: "DENY",
            .init("Referrer-Policy")!: "no-referrer",
        ]
        if security.secureCookies { headers[.strictTransportSecurity] = "max-age=31536000" }
        for field in headers where response.headers[field.name] == nil {
            response.headers[field.name] = field.value
        }
        return response
    }
}
