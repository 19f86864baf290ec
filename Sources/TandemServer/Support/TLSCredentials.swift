import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// The server's certificate chain and key (PEM files), loaded at start and again on `reload()`
/// (`tandem serve` calls it on SIGHUP), so a renewed certificate is used by the next connection
/// without a restart. A reload that fails keeps the credentials in use.
///
/// TLS 1.2 and 1.3, HTTP/1.1 over ALPN: the push channel is a WebSocket, which Hummingbird serves
/// over HTTP/1.1 only (decision 0016).
public final class TLSCredentials: Sendable {
    public let certificatePath: String
    public let keyPath: String
    private let context: Mutex<NIOSSLContext>

    /// Loads both files; throws a one-line message when one is missing or unreadable.
    public init(certificatePath: String, keyPath: String) throws {
        self.certificatePath = certificatePath
        self.keyPath = keyPath
        self.context = Mutex(try Self.load(certificatePath: certificatePath, keyPath: keyPath))
    }

    /// Reads the files again; the new certificate serves every connection from now on.
    public func reload() throws {
        let fresh = try Self.load(certificatePath: certificatePath, keyPath: keyPath)
        context.withLock { $0 = fresh }
    }

    /// The TLS handler for one new connection.
    func handler() -> NIOSSLServerHandler {
        NIOSSLServerHandler(context: context.withLock { $0 })
    }

    public struct LoadError: Error, CustomStringConvertible {
        public let description: String
    }

    static func load(certificatePath: String, keyPath: String) throws -> NIOSSLContext {
        let chain: [NIOSSLCertificate]
        do { chain = try NIOSSLCertificate.fromPEMFile(certificatePath) } catch {
            throw LoadError(description: "cannot read the TLS certificate \(certificatePath) (PEM expected)")
        }
        guard !chain.isEmpty else { throw LoadError(description: "no certificate in \(certificatePath)") }
        let key: NIOSSLPrivateKey
        do { key = try NIOSSLPrivateKey(file: keyPath, format: .pem) } catch {
            throw LoadError(description: "cannot read the TLS key \(keyPath) (PEM, unencrypted)")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) },
                                                                     privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.applicationProtocols = ["http/1.1"]
        do { return try NIOSSLContext(configuration: configuration) } catch {
            throw LoadError(description: "the TLS certificate and key do not go together (\(certificatePath), \(keyPath))")
        }
    }
}
