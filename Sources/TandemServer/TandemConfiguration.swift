import Foundation
import TandemCore
import TandemServices

/// The server's configuration: a plain struct with defaults, read in one place (`tandem serve`).
///
/// | key (flag / environment) | type | default |
/// |---|---|---|
/// | `--host` / `TANDEM_HOST` | address to listen on | `127.0.0.1` |
/// | `--port` / `TANDEM_PORT` | TCP port (0 = any free port) | `8080` |
/// | `--public-url` / `TANDEM_PUBLIC_URL` | URL browsers and authenticators use | `http://<host>:<port>` |
/// | `--data-directory` / `TANDEM_DATA` | folder of `tandem.sqlite` and `tandem.secret-key`, made 0700 (CLI only) | the current folder |
/// | `--database` / `TANDEM_DATABASE` | SQLite file path, or `postgres://user:password@host:port/db` (secret: the password; printed redacted) | `<data-directory>/tandem.sqlite` |
/// | `--challenge-lifetime` / `TANDEM_CHALLENGE_LIFETIME` | seconds a push can be answered, 5–600 | `120` |
/// | `--number-digits` / `TANDEM_NUMBER_DIGITS` | digits of the number, 2–8 | `2` |
/// | `--bcrypt-cost` / `TANDEM_BCRYPT_COST` | bcrypt cost for new passwords, 4–16 | `10` |
/// | `--alert-webhook` / `TANDEM_ALERT_WEBHOOK` | URL that receives administrator alerts (JSON POST) | none |
/// | `--geoip-directory` / `TANDEM_GEOIP_DIRECTORY` | folder with `GeoIP.dat` / `GeoIPv6.dat`; `none` to disable | `/usr/share/GeoIP` |
/// | `--secret-key` / `TANDEM_SECRET_KEY` | **secret**: seals the OIDC signing keys in the store (AES-GCM), ≥ 32 characters | read from `--secret-key-file` |
/// | `--secret-key-file` / `TANDEM_SECRET_KEY_FILE` | file holding the secret key, made (0600, 32 random bytes) on first start | `tandem.secret-key` beside the SQLite file |
/// | `--id-token-lifetime` / `TANDEM_ID_TOKEN_LIFETIME` | seconds, 60–86400 | `3600` |
/// | `--access-token-lifetime` / `TANDEM_ACCESS_TOKEN_LIFETIME` | seconds, 60–86400 | `600` |
/// | `--refresh-token-lifetime` / `TANDEM_REFRESH_TOKEN_LIFETIME` | seconds, 300–31536000 | `1209600` (14 days) |
/// | `--signing-key-rotation` / `TANDEM_SIGNING_KEY_ROTATION` | days before a new OIDC signing key, 1–365 | `30` |
/// | `--metrics-token` / `TANDEM_METRICS_TOKEN` | **secret**: bearer token `GET /metrics` requires (≥ 16 characters); without one `/metrics` answers 404 | none |
/// | `--max-connections-per-address` / `TANDEM_MAX_CONNECTIONS_PER_ADDRESS` | open connections one IP address may hold, 1–100000 | `256` |
/// | `--header-timeout` / `TANDEM_HEADER_TIMEOUT` | seconds to send the first request head, and for a push channel to authenticate, 1–300 | `10` |
/// | `--idle-timeout` / `TANDEM_IDLE_TIMEOUT` | seconds a keep-alive connection may sit idle, 1–3600 | `30` |
/// | `--tls-certificate`, `--tls-key` / `TANDEM_TLS_CERTIFICATE`, `TANDEM_TLS_KEY` | PEM files; serve https (reloaded on SIGHUP) | none (plain http) |
/// | `--trusted-proxy` / `TANDEM_TRUSTED_PROXIES` | CIDRs of reverse proxies whose `Forwarded` / `X-Forwarded-For` are believed (repeatable, or comma-separated) | none |
/// | `--housekeeping-interval`, `--sign-in-log-retention`, `--audit-log-retention` | see `HousekeepingSettings` | 1 h, 30 days, 30 days |
/// | `--radius-port` / `TANDEM_RADIUS_PORT` | UDP port of the RADIUS server (decision 0019), 0 = any free port | none (off) |
/// | `--radius-listen` / `TANDEM_RADIUS_LISTEN` | address the RADIUS server listens on | `127.0.0.1` |
/// | `--web-push-contact` / `TANDEM_WEB_PUSH_CONTACT`, `--allow-loopback-push-endpoints` (hidden, tests) | see `WebPushSettings` | the public URL, off |
/// | `--max-concurrent-sign-ins`, `--max-concurrent-completions`, `--max-concurrent-admin`, `--max-concurrent-requests`, `--request-queue-length`, `--request-queue-timeout` | load shedding, see `LoadLimits` (decision 0028) | 16, 64, 16, 128, 64, 2 s |
/// | `--log-format` / `TANDEM_LOG_FORMAT` | `text` or `json` (`JSONLogHandler`; CLI only) | `text` |
/// | `--fido2-attestation-roots` / `TANDEM_FIDO2_ATTESTATION_ROOTS` | PEM bundle of CA certificates a passkey's `packed` full attestation must chain to (decision 0037; read at start) | none (enforced attestation refuses every registration) |
/// | `--otel-endpoint` / `OTEL_EXPORTER_OTLP_ENDPOINT` | OTLP/HTTP collector base URL: export traces (decision 0029; CLI only, sets `tracing`) | none (off) |
/// | `--config` / `TANDEM_CONFIG` | YAML file with any of the keys above (`ConfigFile`; CLI only) | none |
///
/// The secrets are `secretKey` and `metricsToken`: never printed or logged.
public struct TandemConfiguration: Sendable {
    public var host: String
    public var port: Int
    public var publicURL: String?
    public var databasePath: String
    public var challengeLifetime: Double
    public var numberDigits: Int
    public var bcryptCost: Int
    /// Administrator alerts ("No, it's not me" reports) are POSTed here as JSON.
    public var alertWebhook: String?
    /// The offline country database's folder (Debian's `geoip-database`), `nil` for none.
    public var geoipDirectory: String?
    /// Secret: the key that seals the OIDC signing keys at rest. `nil` (tests) makes a random key
    /// for this process only, so keys stored by an earlier process cannot be opened and a new one is made.
    public var secretKey: String? = nil
    /// OpenID Connect lifetimes and key rotation.
    public var oidc = OIDCSettings()
    /// Secret: the bearer token Prometheus sends to `GET /metrics`; `nil` turns `/metrics` off.
    public var metricsToken: String? = nil
    /// Per-address connection cap and the header and idle timeouts.
    public var connections = ConnectionLimits()
    /// Purging of expired records and old logs (`HousekeepingSettings`); `nil` (tests, an embedded
    /// server) runs none. `tandem serve` always sets it.
    public var housekeeping: HousekeepingSettings? = nil
    /// Certificate and key when the server speaks TLS itself.
    public var tls: TLSCredentials? = nil
    /// Reverse proxies allowed to say who the client is.
    public var trustedProxies = TrustedProxies([])
    /// The RADIUS server's UDP port (decision 0019); `nil` turns it off.
    public var radiusPort: Int? = nil
    /// The address the RADIUS server listens on.
    public var radiusListen = "127.0.0.1"
    /// Web Push: the VAPID contact and the test-only loopback option (`WebPushSettings`).
    public var webPush = WebPushSettings()
    /// A server span per HTTP request (`RequestTracingMiddleware`), for the tracer `tandem serve`
    /// bootstraps when an OTLP endpoint is set (decision 0029). Off: no middleware at all.
    public var tracing = false
    /// Work in flight per route class and the queue before a request is shed (`LoadLimits`).
    public var load = LoadLimits()
    /// The roots passkey attestation certificates must chain to (decision 0037).
    public var fido2AttestationRoots = AttestationTrustAnchors()

    public init(host: String = "127.0.0.1", port: Int = 8080, publicURL: String? = nil, databasePath: String = "tandem.sqlite",
                challengeLifetime: Double = 120, numberDigits: Int = 2, bcryptCost: Int = 10,
                alertWebhook: String? = nil, geoipDirectory: String? = "/usr/share/GeoIP") {
        self.host = host
        self.port = port
        self.publicURL = publicURL
        self.databasePath = databasePath
        self.challengeLifetime = challengeLifetime
        self.numberDigits = numberDigits
        self.bcryptCost = bcryptCost
        self.alertWebhook = alertWebhook
        self.geoipDirectory = geoipDirectory
    }

    /// Checks the ranges; returns a one-line message for the first bad value.
    public func validate() -> String? {
        if !(0...65535).contains(port) { return "--port must be between 0 and 65535" }
        if let radiusPort, !(0...65535).contains(radiusPort) { return "--radius-port must be between 0 and 65535" }
        if radiusPort != nil, CIDR.parseAddress(radiusListen) == nil { return "--radius-listen must be an IP address" }
        if !(5...600).contains(challengeLifetime) { return "--challenge-lifetime must be between 5 and 600 seconds" }
        if let problem = webPush.validate() { return problem }
        if !(2...8).contains(numberDigits) { return "--number-digits must be between 2 and 8" }
        if !(4...16).contains(bcryptCost) { return "--bcrypt-cost must be between 4 and 16" }
        if !(60...86_400).contains(oidc.idTokenLifetime) { return "--id-token-lifetime must be between 60 and 86400 seconds" }
        if !(60...86_400).contains(oidc.accessTokenLifetime) { return "--access-token-lifetime must be between 60 and 86400 seconds" }
        if !(300...31_536_000).contains(oidc.refreshTokenLifetime) { return "--refresh-token-lifetime must be between 300 and 31536000 seconds" }
        if !(86_400...31_536_000).contains(oidc.signingKeyRotation) { return "--signing-key-rotation must be between 1 and 365 days" }
        if let problem = connections.validate() { return problem }
        if let problem = load.validate() { return problem }
        if let problem = housekeeping?.validate() { return problem }
        if let metricsToken, metricsToken.count < 16 { return "--metrics-token must be at least 16 characters" }
        if let secretKey, secretKey.count < OIDCSecretKey.minimumLength { return "--secret-key must be at least \(OIDCSecretKey.minimumLength) characters" }
        if let alertWebhook, URL(string: alertWebhook)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            return "--alert-webhook must be an http or https URL"
        }
        if let publicURL, URL(string: publicURL)?.scheme.map({ ["http", "https"].contains($0) }) != true {
            return "--public-url must be an http or https URL"
        }
        return nil
    }

    /// The public URL without a trailing slash, given the port actually bound.
    public func resolvedPublicURL(boundPort: Int) -> String {
        var url = publicURL ?? "\(tls == nil ? "http" : "https")://\(host):\(boundPort)"
        while url.hasSuffix("/") { url.removeLast() }
        return url
    }

    /// Cookies get `Secure` (and `__Host-`) when the public URL is https, or when Tandem serves
    /// TLS itself and no public URL says otherwise.
    public var secureCookies: Bool { publicURL.map { $0.lowercased().hasPrefix("https://") } ?? (tls != nil) }
}
