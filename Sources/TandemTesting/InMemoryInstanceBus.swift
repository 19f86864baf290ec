import Foundation
import Synchronization
import TandemServices

/// The in-memory twin of the PostgreSQL `LISTEN/NOTIFY` bus: every bus made by one `network`
/// delivers what it publishes to the buses of the other instances in the same process.
public final class InMemoryInstanceNetwork: Sendable {
    private let listeners = Mutex<[UUID: AsyncStream<(from: UUID, message: InstanceMessage)>.Continuation]>([:])

    public init() {}

    /// A bus for one instance.
    public func bus() -> InMemoryInstanceBus { InMemoryInstanceBus(network: self, id: UUID()) }

    fileprivate func send(_ message: InstanceMessage, from id: UUID) {
        for continuation in listeners.withLock({ Array($0.values) }) { continuation.yield((id, message)) }
    }

    fileprivate func subscribe(_ id: UUID) -> AsyncStream<(from: UUID, message: InstanceMessage)> {
        let (stream, continuation) = AsyncStream.makeStream(of: (from: UUID, message: InstanceMessage).self)
        let token = UUID()
        listeners.withLock { $0[token] = continuation }
        continuation.onTermination = { [weak self] _ in _ = self?.listeners.withLock { $0.removeValue(forKey: token) } }
        return stream
    }
}

/// One instance's end of an `InMemoryInstanceNetwork`; records what it published.
public struct InMemoryInstanceBus: InstanceBus {
    let network: InMemoryInstanceNetwork
    let id: UUID

    public func publish(_ message: InstanceMessage) async {
        network.send(message, from: id)
    }

    public func listen(onListening: @escaping @Sendable () async -> Void,
                       _ receive: @escaping @Sendable (InstanceMessage) async -> Void) async {
        let stream = network.subscribe(id)
        await onListening()
        for await (from, message) in stream where from != id {
            await receive(message)
        }
    }
}
