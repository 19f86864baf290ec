import Dispatch
import Foundation
import Logging

/// SIGTERM or SIGINT starts a graceful shutdown (ServiceLifecycle: stop accepting, end the push
/// channels, let requests in flight finish); this bounds it: whatever still runs after `seconds`
/// is cut and the process exits 0, so a deploy never waits for the supervisor's SIGKILL
/// (issue 17, item 3). Every confirmed change is already committed to the store by then.
final class ShutdownDeadline {
    private let sources: [any DispatchSourceSignal]

    init(seconds: Double, logger: Logger) {
        sources = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                DispatchQueue.global().asyncAfter(deadline: .now() + seconds) {
                    logger.notice("graceful shutdown took longer than \(seconds) s; exiting")
                    exit(0)
                }
            }
            source.resume()
            return source
        }
    }
}
