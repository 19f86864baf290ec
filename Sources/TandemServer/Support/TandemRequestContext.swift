import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// Per-request facts: the core storage, the WebSocket handler slot and the peer address.
public struct TandemRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let remoteAddress: SocketAddress?
    /// The client behind trusted proxies (`ClientAddressMiddleware`), when the peer is one.
    public var forwardedClient: String? = nil

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
    }

    /// The client's IP address: the peer's, or the one trusted proxies reported (`TrustedProxies`).
    public var clientIP: String { forwardedClient ?? remoteAddress?.ipAddress ?? "unknown" }

    /// Small JSON bodies only.
    public var maxUploadSize: Int { 64 * 1024 }
}
