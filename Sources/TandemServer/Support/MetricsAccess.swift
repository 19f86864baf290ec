import Hummingbird
import TandemCore

/// Who may read `/metrics` (issue 10, finding 13): only a scraper that presents the configured
/// bearer token (Prometheus `authorization: { credentials: … }`). Without a configured token the
/// endpoint is off, so a fresh install exposes nothing about its sign-ins.
struct MetricsAccess {
    let token: String?

    func check(_ request: Request) throws {
        guard let token else {
            throw TandemError(.notFound, "Metrics are off: start tandem serve with --metrics-token.")
        }
        let header = request.headers[.authorization] ?? ""
        let prefix = "Bearer "
        guard header.hasPrefix(prefix), ConstantTime.equals(String(header.dropFirst(prefix.count)), token) else {
            throw TandemError(.unauthorized, "Send the metrics token as a bearer token.")
        }
    }
}
