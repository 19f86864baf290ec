import Hummingbird
import HummingbirdWebSocket
import NIOCore

/// Per-request facts: the core storage, the WebSocket handler slot and the peer address.
public struct TandemRequestContext: RequestContext, WebSocketRequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let webSocket: WebSocketHandlerReference<Self>
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.webSocket = .init()
        self.remoteAddress = source.channel.remoteAddress
    }

    /// Small JSON bodies only.
    public var maxUploadSize: Int { 64 * 1024 }
}
