import Foundation
import Logging
import TandemServer
import TandemServices
import TandemStore

extension Serve {
    /// Refuses to start when signing keys in the store cannot be opened with the secret key (a
    /// restore without `tandem.secret-key`), unless `--rotate-keys-if-unreadable` says to replace
    /// them (issue 17, item 7).
    func checkStoredKeys(store: SQLStore, secretKey: String, logger: Logger) async throws {
        let unreadable = try await StoredKeyCheck.unreadableKeys(storage: store, secretKey: secretKey)
        guard !unreadable.isEmpty else { return }
        let count = unreadable.count == 1 ? "1 signing key" : "\(unreadable.count) signing keys"
        guard rotateKeysIfUnreadable else {
            throw CLIError("""
                \(count) in the database cannot be opened with this secret key (was the database restored without its tandem.secret-key?): \
                start with the secret key it was made with (--secret-key-file or TANDEM_SECRET_KEY), or with --rotate-keys-if-unreadable \
                to replace them (every token issued with them stops working)
                """)
        }
        try await StoredKeyCheck.rotate(unreadable, storage: store, random: SystemRandomSource(), clock: SystemClock())
        logger.warning("signing keys that cannot be opened with the secret key were replaced (--rotate-keys-if-unreadable); tokens issued with them no longer work",
                       metadata: ["tandem.keys": "\(unreadable.count)"])
    }
}
