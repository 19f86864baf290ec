/// How long to wait before reconnecting: exponential from `initial` to `maximum`, with up to 20 %
/// random jitter so many devices do not reconnect in step after a server restart.
public struct ReconnectBackoff: Sendable, Equatable {
    /// The first delay.
    public var initial: Duration
    /// The longest delay.
    public var maximum: Duration

    /// Creates a backoff policy.
    public init(initial: Duration = .milliseconds(500), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before attempt `attempt` (0 for the first retry), with `jitter` in 0...1
    /// scaling the random extra part.
    public func delay(attempt: Int, jitter: Double) -> Duration {
        var delay = initial
        for _ in 0..<min(attempt, 32) where delay < maximum { delay *= 2 }
        delay = min(delay, maximum)
        return delay + delay * (0.2 * min(max(jitter, 0), 1))
    }
}
