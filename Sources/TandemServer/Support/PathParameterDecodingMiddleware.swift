import Hummingbird
import TandemCore

/// Percent-decodes every path parameter once, after routing and before any handler reads it, so
/// `/v1.0/users/bob%40contoso.com` (what the Graph SDKs send) names `bob@contoso.com`. Routing
/// itself stays on the raw path, so an encoded `/` (`%2F`) never splits a segment. A parameter
/// that is not valid percent-encoding (`%zz`, a lone `%`) is refused with a 400.
struct PathParameterDecodingMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard context.parameters.contains(where: { $0.value.contains("%") }) else { return try await next(request, context) }
        var context = context
        var decoded = Parameters()
        for (key, value) in context.parameters {
            guard let text = String(value).removingPercentEncoding else {
                throw TandemError(.badRequest, "A path segment is not valid percent-encoding.")
            }
            decoded.append(key: key, value: Substring(text))
        }
        context.coreContext.parameters = decoded
        return try await next(request, context)
    }
}
