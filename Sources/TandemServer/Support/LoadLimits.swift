import Foundation

/// The kinds of request load shedding bounds separately (issue 17, item 5; decision 0028).
///
/// Listed in the order a freed slot is offered: a phone's answer or a sign-in's completion
/// before anything else, a new sign-in last — and a new sign-in waits while completions wait.
public enum RouteClass: String, CaseIterable, Sendable {
    /// `/device/*` (a phone's answer, its pending list, its key changes), `GET /login/complete`,
    /// `/oauth2/authorize/continue` and `/consent`, `POST /oauth2/token`: work that finishes a
    /// sign-in already under way.
    case completion
    /// The admin pages (`/admin…`) and the Graph API (`/v1.0/…`).
    case admin
    /// Everything else: pages, static files, discovery, userinfo.
    case other
    /// `POST /login…` (username, password, code, passkey, resend, the other ways) and
    /// `/oauth2/authorize`, `/oauth2/bc-authorize`: work that starts (or advances) a sign-in.
    case newSignIn

    /// Which class a request is in; `nil` for the requests never shed: health and metrics
    /// (an overloaded server must still say so), and the waits (`/login/status`, `/login/events`,
    /// registration status, the push channel), which hold a connection but do no work while
    /// they wait and are bounded by the connection limits.
    public static func of(method: String, path: Substring) -> RouteClass? {
        if path == "/health" || path == "/healthz" || path == "/readyz" || path == "/metrics" { return nil }
        if path == "/device/v1/connect" || path.hasSuffix("/status") || path.hasSuffix("/events") { return nil }
        if path.hasPrefix("/device/") || path == "/login/complete" || path.hasPrefix("/oauth2/authorize/") || path == "/oauth2/token" {
            return .completion
        }
        if path == "/oauth2/authorize" || path == "/oauth2/bc-authorize" { return .newSignIn }
        if method == "POST", path == "/login" || path.hasPrefix("/login/") { return .newSignIn }
        if path == "/admin" || path.hasPrefix("/admin/") || path.hasPrefix("/v1.0/") || path == "/v1.0" { return .admin }
        return .other
    }
}

/// How much work may be in flight per `RouteClass`, and how long a request may wait for a slot.
///
/// | flag / environment | default |
/// |---|---|
/// | `--max-concurrent-sign-ins` / `TANDEM_MAX_CONCURRENT_SIGN_INS` | 16 |
/// | `--max-concurrent-completions` / `TANDEM_MAX_CONCURRENT_COMPLETIONS` | 64 |
/// | `--max-concurrent-admin` / `TANDEM_MAX_CONCURRENT_ADMIN` | 16 |
/// | `--max-concurrent-requests` / `TANDEM_MAX_CONCURRENT_REQUESTS` (the other class) | 128 |
/// | `--request-queue-length` / `TANDEM_REQUEST_QUEUE_LENGTH` (per class) | 64 |
/// | `--request-queue-timeout` / `TANDEM_REQUEST_QUEUE_TIMEOUT` (seconds) | 2 |
///
/// A request over its class's bound waits in that class's queue (first come, first served)
/// for at most the queue timeout; a full queue or the timeout answers 503 with `Retry-After`.
public struct LoadLimits: Sendable, Equatable {
    public var newSignIns = 16
    public var completions = 64
    public var admin = 16
    public var other = 128
    /// Requests that may wait per class; 0 sheds at once when the class is full.
    public var queueLength = 64
    /// Seconds a request may wait for a slot.
    public var queueTimeout: Double = 2

    public init() {}

    public func limit(_ routeClass: RouteClass) -> Int {
        switch routeClass {
        case .newSignIn: newSignIns
        case .completion: completions
        case .admin: admin
        case .other: other
        }
    }

    /// Whole seconds a shed client is told to wait (`Retry-After`): the queue timeout, at least 1.
    public var retryAfterSeconds: Int { max(1, Int(queueTimeout.rounded(.up))) }

    /// A one-line message for the first value out of range, or `nil`.
    public func validate() -> String? {
        for (flag, value) in [("--max-concurrent-sign-ins", newSignIns), ("--max-concurrent-completions", completions),
                              ("--max-concurrent-admin", admin), ("--max-concurrent-requests", other)]
        where !(1...100_000).contains(value) {
            return "\(flag) must be between 1 and 100000"
        }
        if !(0...100_000).contains(queueLength) { return "--request-queue-length must be between 0 and 100000" }
        if !(0.01...60).contains(queueTimeout) { return "--request-queue-timeout must be between 0.01 and 60 seconds" }
        return nil
    }
}
