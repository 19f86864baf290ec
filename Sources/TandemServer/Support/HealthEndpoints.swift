import Foundation
import Hummingbird
import Synchronization
import TandemServices

/// `GET /healthz` (liveness: the process answers) and `GET /readyz` (readiness: the store answers
/// within two seconds and every migration this build knows is applied; else 503). Both JSON, no
/// authentication, nothing secret in them. `GET /health` stays as it was.
enum HealthEndpoints {
    struct Body: Encodable {
        let status: String
        let checks: [String: String]?
    }

    static let readinessTimeout: Duration = .seconds(2)

    static func register(on router: Router<TandemRequestContext>, storage: any TandemStorage) {
        router.get("/healthz") { _, _ in JSONResponse.make(Body(status: "ok", checks: nil)) }
        router.get("/readyz") { _, _ in
            let (store, migrations) = await check(storage)
            let ready = store == "ok" && migrations == "ok"
            return JSONResponse.make(Body(status: ready ? "ok" : "unavailable", checks: ["store": store, "migrations": migrations]),
                                     status: ready ? .ok : .serviceUnavailable)
        }
    }

    /// ("ok" | "unreachable" | "timeout", "ok" | "pending" | "unknown"). The probe runs in its own
    /// task, so a store that hangs cannot hold the answer past the timeout.
    static func check(_ storage: any TandemStorage) async -> (String, String) {
        await withCheckedContinuation { (continuation: CheckedContinuation<(String, String), Never>) in
            let once = ResumeOnce(continuation)
            let probe = Task {
                do { once.resume(("ok", try await storage.isMigrated() ? "ok" : "pending")) } catch { once.resume(("unreachable", "unknown")) }
            }
            Task {
                try? await Task.sleep(for: readinessTimeout)
                once.resume(("timeout", "unknown"))
                probe.cancel()
            }
        }
    }

    /// Resumes a continuation with the first result only.
    final class ResumeOnce: Sendable {
        private let continuation: Mutex<CheckedContinuation<(String, String), Never>?>
        init(_ continuation: CheckedContinuation<(String, String), Never>) { self.continuation = Mutex(continuation) }
        func resume(_ result: (String, String)) {
            let taken = continuation.withLock { value in
                defer { value = nil }
                return value
            }
            taken?.resume(returning: result)
        }
    }
}
