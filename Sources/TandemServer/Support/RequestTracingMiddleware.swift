import HTTPTypes
import Hummingbird
import Tracing

/// One server span per HTTP request, named by its route (`POST /login/password`), when
/// `--otel-endpoint` turned tracing on (decision 0029); not installed otherwise.
///
/// Like Hummingbird's `TracingMiddleware` (it continues a W3C `traceparent` sent by a proxy or a
/// client) but it records less, on purpose: the method, the route pattern, the status and the
/// scheme. Never the query string (OIDC's `id_token_hint`, `login_hint`, request handles and
/// activation codes travel there), never the raw path, a header, a cookie, the user agent or an
/// address; the sign-in log keeps who and where.
struct RequestTracingMiddleware: RouterMiddleware {
    let scheme: String

    func handle(_ request: Request, context: TandemRequestContext,
                next: (Request, TandemRequestContext) async throws -> Response) async throws -> Response {
        var parent = InstrumentationContext.current ?? .topLevel
        InstrumentationSystem.instrument.extract(request.headers, into: &parent, using: HeaderExtractor())
        let span = startSpan("HTTP \(request.method.rawValue)", context: parent, ofKind: .server)
        span.attributes["http.request.method"] = request.method.rawValue
        span.attributes["url.scheme"] = scheme
        do {
            // Ends when the handler returns its response, before a streamed body (the browser's
            // event stream, a WebSocket) runs on: a request's span is the work of answering it.
            let response = try await InstrumentationContext.$current.withValue(span.context) {
                try await next(request, context)
            }
            name(span, request: request, context: context, status: Int(response.status.code))
            span.end()
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            name(span, request: request, context: context, status: Int(status))
            if status >= 500 { span.setStatus(.init(code: .error)) }
            span.end()
            throw error
        }
    }

    private func name(_ span: any Span, request: Request, context: TandemRequestContext, status: Int) {
        if let route = context.endpointPath {
            span.operationName = "\(request.method.rawValue) \(route)"
            span.attributes["http.route"] = route
        }
        span.attributes["http.response.status_code"] = status
    }
}

private struct HeaderExtractor: Extractor {
    func extract(key name: String, from headers: HTTPFields) -> String? {
        HTTPField.Name(name).flatMap { headers[$0] }
    }
}
