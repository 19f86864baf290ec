import Foundation
import Hummingbird
import HummingbirdTesting
import NIOCore
import TandemCore
@testable import TandemServer
import Testing

/// What a shed request gets (decision 0028), through a router with the middleware and a
/// shedder whose classes the test has filled itself.
@Suite("Load-shedding middleware")
struct LoadSheddingMiddlewareTests {
    static func app(_ shedder: LoadShedder) throws -> some ApplicationProtocol {
        let router = Router()
        router.add(middleware: LoadSheddingMiddleware(shedder: shedder, pages: try PageRenderer()))
        for path in ["/login", "/oauth2/authorize", "/v1.0/users", "/device/v1/pending", "/healthz", "/login/status", "/static/x"] {
            router.get(RouterPath(path)) { _, _ in "ran" }
            router.post(RouterPath(path)) { _, _ in "ran" }
        }
        return Application(router: router)
    }

    /// A shedder with every class full and no queue.
    static func full() async -> LoadShedder {
        var limits = LoadLimits()
        (limits.newSignIns, limits.completions, limits.admin, limits.other, limits.queueLength, limits.queueTimeout) = (1, 1, 1, 1, 0, 3)
        let shedder = LoadShedder(limits: limits)
        for routeClass in RouteClass.allCases { _ = await shedder.acquire(routeClass) }
        return shedder
    }

    @Test("An API request is shed with 503, Retry-After and the JSON error: overloaded, or Graph's ServiceNotAvailable",
          arguments: [("/device/v1/pending", HTTPRequest.Method.get, "overloaded", "The server is busy. Wait 3 seconds and try again."),
                      ("/v1.0/users", .get, "ServiceNotAvailable", "The server is busy. Wait 3 seconds and try again."),
                      ("/login", .post, "overloaded", "Too many sign-ins are starting at once. Wait 3 seconds and try again.")])
    func apiAnswer(path: String, method: HTTPRequest.Method, code: String, message: String) async throws {
        let shedder = await Self.full()
        try await Self.app(shedder).test(.router) { client in
            let accept: HTTPFields = path == "/login" ? [.accept: "application/json"] : [:]
            try await client.execute(uri: path, method: method, headers: accept) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "3")
                #expect(response.headers[.cacheControl] == "no-store")
                let body = try JSONDecoder().decode(ErrorBody.self, from: Data(buffer: response.body))
                #expect(body.error.code == code)
                #expect(body.error.message == message)
                #expect(body.error.serverTime == nil)
            }
        }
        #expect(shedder.shedCounts().values.reduce(0, +) == 1)
    }

    @Test("A browser gets the busy page: a form back to the sign-in, a GET to the same address")
    func browserAnswer() async throws {
        try await Self.app(await Self.full()).test(.router) { client in
            try await client.execute(uri: "/login", method: .post, headers: [.accept: "text/html"]) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(response.headers[.retryAfter] == "3")
                let html = String(buffer: response.body)
                #expect(html.contains("Tandem is busy") && html.contains("Too many sign-ins are starting at once"))
                #expect(html.contains(#"href="/login""#))
            }
            try await client.execute(uri: "/oauth2/authorize?client_id=app&state=s", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
                #expect(String(buffer: response.body).contains("/oauth2/authorize?client_id=app&amp;state=s"))
            }
        }
    }

    @Test("Health checks and the waits run while every class is full; a class with room runs")
    func exemptAndRoom() async throws {
        let shedder = await Self.full()
        try await Self.app(shedder).test(.router) { client in
            for path in ["/healthz", "/login/status"] {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == .ok)
                    #expect(String(buffer: response.body) == "ran")
                }
            }
            shedder.release(.other)
            try await client.execute(uri: "/static/x", method: .get) { response in #expect(response.status == .ok) }
            // The slot was given back after the request.
            #expect(shedder.snapshot()[.other]?.inFlight == 0)
        }
    }
}
