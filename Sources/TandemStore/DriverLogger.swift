import Logging

extension Logger {
    /// The logger handed to the database drivers (sqlite-nio, PostgresNIO and SQLKit), never more
    /// verbose than `info` whatever `--log-level` says.
    ///
    /// At `debug` SQLKit prints every statement with its bind values, and at `trace` PostgresNIO
    /// prints every message it sends and receives: both carry challenge numbers, nonces, code and
    /// token digests. Tandem's own debug logs name ids only; the drivers' cannot be trusted to, so
    /// their verbose levels are never switched on (issue 10, finding 9).
    public var forDatabaseDriver: Logger {
        var capped = self
        capped.logLevel = Swift.max(logLevel, .info)
        return capped
    }
}
