import SQLiteNIO

/// Which store errors are "the database did not answer in time" rather than a fault: SQLite's
/// busy and locked answers after its busy timeout (another writer held the file). The server
/// answers them 503 with `Retry-After`, as it does a PostgreSQL deadline (issue 17, item 4), not 500.
public enum StoreErrors {
    public static func isTransient(_ error: any Error) -> Bool {
        guard let sqlite = error as? SQLiteError else { return false }
        switch sqlite.reason {
        case .busy, .locked, .busyInRecovery, .busyInSnapshot, .busyTimeout, .lockedBySharedCache: return true
        default: return false
        }
    }
}
