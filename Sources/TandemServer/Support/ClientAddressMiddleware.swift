import Hummingbird
import TandemCore

/// Reads who the client is from `Forwarded` / `X-Forwarded-For`, only when the peer is one of the
/// `--trusted-proxy` networks (`TrustedProxies`); everyone else's headers are ignored.
struct ClientAddressMiddleware: RouterMiddleware {
    let proxies: TrustedProxies

    func handle(_ request: Request, context: TandemRequestContext,
                next: (Request, TandemRequestContext) async throws -> Response) async throws -> Response {
        guard !proxies.networks.isEmpty, let peer = context.remoteAddress?.ipAddress, proxies.isTrusted(peer) else {
            return try await next(request, context)
        }
        var context = context
        context.forwardedClient = proxies.clientAddress(
            peer: peer,
            forwarded: request.headers[values: .init("Forwarded")!],
            forwardedFor: request.headers[values: .init("X-Forwarded-For")!])
        return try await next(request, context)
    }
}
