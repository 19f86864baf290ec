import Foundation
import Hummingbird
import Prometheus
import TandemCore

/// Sheds load before latency climbs past what a sign-in waits for (issue 17, item 5; decision
/// 0028): every request of a `RouteClass` runs in a slot of that class's `LoadShedder`; a
/// request that finds no slot within the queue timeout is answered 503 with `Retry-After` and
/// never reaches its handler — a JSON error (`overloaded`) for the APIs, the sign-in's error
/// page for a browser.
struct LoadSheddingMiddleware<Context: RequestContext>: RouterMiddleware {
    let shedder: LoadShedder
    let pages: PageRenderer

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let routeClass = RouteClass.of(method: request.method.rawValue, path: request.uri.path[...]) else {
            return try await next(request, context)
        }
        switch await shedder.acquire(routeClass) {
        case .admitted:
            defer { shedder.release(routeClass) }
            return try await next(request, context)
        case .shed(let reason):
            context.logger.debug("request shed", metadata: ["tandem.class": "\(routeClass.rawValue)", "tandem.reason": "\(reason.rawValue)"])
            return overloaded(request, routeClass)
        }
    }

    func overloaded(_ request: Request, _ routeClass: RouteClass) -> Response {
        let path = request.uri.path
        let wantsJSON = path.hasPrefix("/device/") || path.hasPrefix("/v1.0/") || path.hasPrefix("/oauth2/token")
            || path.hasPrefix("/oauth2/bc-authorize") || request.headers[.accept]?.contains("application/json") == true
        let retryAfter = shedder.limits.retryAfterSeconds
        let wait = retryAfter == 1 ? "a second" : "\(retryAfter) seconds"
        let message = routeClass == .newSignIn
            ? "Too many sign-ins are starting at once. Wait \(wait) and try again."
            : "The server is busy. Wait \(wait) and try again."
        var response: Response
        if wantsJSON {
            if path.hasPrefix("/v1.0/") {
                response = JSONResponse.make(ErrorBody(code: "ServiceNotAvailable", message: message), status: .serviceUnavailable)
            } else {
                response = JSONResponse.make(ErrorBody(code: "overloaded", message: message), status: .serviceUnavailable)
            }
        } else {
            // A GET can simply be tried again; a form goes back to the start of the sign-in.
            let again = request.method == .get && routeClass != .other ? request.uri.description : "/login"
            response = pages.message(heading: "Tandem is busy", message: message, link: again, linkText: "Try again",
                                     status: .serviceUnavailable)
        }
        response.headers[.retryAfter] = String(retryAfter)
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

/// The shedder's series in the application's Prometheus registry.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `tandem_requests_shed_total` | counter: requests answered 503 without running | `class` (newSignIn, completion, admin, other), `reason` (queueFull, queueTimeout) |
/// | `tandem_requests_in_flight` | gauge, read at each scrape | `class` |
/// | `tandem_requests_queued` | gauge, read at each scrape | `class` |
struct LoadSheddingMetrics: Sendable {
    let registry: PrometheusCollectorRegistry

    private static var shedName: String { "tandem_requests_shed_total" }

    func makeShedder(limits: LoadLimits) -> LoadShedder {
        let registry = registry
        // Zero series for every class and reason, so dashboards and alerts see them at once.
        for routeClass in RouteClass.allCases {
            for reason in [LoadShedder.ShedReason.queueFull, .queueTimeout] {
                _ = Self.counter(registry, routeClass, reason)
            }
        }
        return LoadShedder(limits: limits) { routeClass, reason in Self.counter(registry, routeClass, reason).increment() }
    }

    /// Sets the gauges from the shedder (before a scrape).
    func update(from shedder: LoadShedder) {
        for (routeClass, value) in shedder.snapshot() {
            registry.makeGauge(name: "tandem_requests_in_flight", labels: [("class", routeClass.rawValue)],
                               help: "Requests running now, by load-shedding class.").set(Double(value.inFlight))
            registry.makeGauge(name: "tandem_requests_queued", labels: [("class", routeClass.rawValue)],
                               help: "Requests waiting for a slot now, by load-shedding class.").set(Double(value.queued))
        }
    }

    private static func counter(_ registry: PrometheusCollectorRegistry, _ routeClass: RouteClass, _ reason: LoadShedder.ShedReason) -> Counter {
        registry.makeCounter(name: shedName, labels: [("class", routeClass.rawValue), ("reason", reason.rawValue)],
                             help: "Requests answered 503 by load shedding without running, by class and reason.")
    }
}
