import Hummingbird
import TandemServices

/// Gives each sign-in and device request its own `RequestMemo` (issue 11): within the request,
/// the policy documents and named locations are read once. Not for the admin routes, which
/// change those documents.
struct RequestMemoMiddleware: RouterMiddleware {
    static func applies(to path: Substring) -> Bool {
        path == "/" || path.hasPrefix("/login") || path.hasPrefix("/device/")
    }

    func handle(_ request: Request, context: TandemRequestContext,
                next: (Request, TandemRequestContext) async throws -> Response) async throws -> Response {
        guard Self.applies(to: request.uri.path[...]) else { return try await next(request, context) }
        return try await RequestMemo.$current.withValue(RequestMemo()) { try await next(request, context) }
    }
}
