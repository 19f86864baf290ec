import Dispatch
import Foundation
import Logging
import TandemServer

/// `kill -HUP` reloads the TLS certificate and key (after a renewal) without a restart; a failed
/// reload is logged and the old certificate stays in use.
final class TLSReloadOnHangUp {
    private let source: any DispatchSourceSignal

    init(credentials: TLSCredentials, logger: Logger) {
        signal(SIGHUP, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            do {
                try credentials.reload()
                logger.notice("reloaded the TLS certificate", metadata: ["tandem.file": "\(credentials.certificatePath)"])
            } catch {
                logger.error("TLS certificate not reloaded; the old one stays in use", metadata: ["tandem.error": "\(error)"])
            }
        }
        source.resume()
    }

    func cancel() { source.cancel() }
}
