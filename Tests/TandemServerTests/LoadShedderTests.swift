import Foundation
import Synchronization
import TandemServer
import Testing

/// Values appended from several tasks.
final class Log<Value: Sendable>: Sendable {
    private let storage = Mutex<[Value]>([])
    func append(_ value: Value) { storage.withLock { $0.append(value) } }
    var values: [Value] { storage.withLock { $0 } }
}

@Suite("Load shedder")
struct LoadShedderTests {
    static func limits(signIns: Int = 1, completions: Int = 1, queue: Int = 4, timeout: Double = 30) -> LoadLimits {
        var limits = LoadLimits()
        limits.newSignIns = signIns
        limits.completions = completions
        limits.admin = 1
        limits.other = 1
        limits.queueLength = queue
        limits.queueTimeout = timeout
        return limits
    }

    /// Waits (generously) until the shedder shows `queued` waiters in `routeClass`.
    static func waitUntilQueued(_ shedder: LoadShedder, _ routeClass: RouteClass, _ queued: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while shedder.snapshot()[routeClass]?.queued != queued {
            guard ContinuousClock.now < deadline else { Issue.record("never \(queued) queued in \(routeClass)"); return }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    @Test("admits up to the limit, queues the next and admits it when a slot frees")
    func queuesOverTheLimit() async throws {
        let shedder = LoadShedder(limits: Self.limits(signIns: 2))
        #expect(await shedder.acquire(.newSignIn) == .admitted)
        #expect(await shedder.acquire(.newSignIn) == .admitted)
        let third = Task { await shedder.acquire(.newSignIn) }
        try await Self.waitUntilQueued(shedder, .newSignIn, 1)
        #expect(shedder.snapshot()[.newSignIn]?.inFlight == 2)
        shedder.release(.newSignIn)
        #expect(await third.value == .admitted)
        #expect(shedder.snapshot()[.newSignIn]?.inFlight == 2)
        #expect(shedder.snapshot()[.newSignIn]?.queued == 0)
    }

    @Test("waiters are admitted first come, first served")
    func firstComeFirstServed() async throws {
        let shedder = LoadShedder(limits: Self.limits(signIns: 1, queue: 8))
        #expect(await shedder.acquire(.newSignIn) == .admitted)
        let order = Log<Int>()
        var tasks: [Task<Void, Never>] = []
        for index in 0..<4 {
            tasks.append(Task {
                if await shedder.acquire(.newSignIn) == .admitted {
                    order.append(index)
                    shedder.release(.newSignIn)
                }
            })
            try await Self.waitUntilQueued(shedder, .newSignIn, index + 1)
        }
        shedder.release(.newSignIn)
        for task in tasks { await task.value }
        #expect(order.values == [0, 1, 2, 3])
    }

    @Test("a full queue sheds at once, and a queue of length 0 sheds whatever finds the class full",
          arguments: [0, 3])
    func fullQueueSheds(queue: Int) async throws {
        let shed = Log<String>()
        let shedder = LoadShedder(limits: Self.limits(signIns: 1, queue: queue)) { routeClass, reason in
            shed.append("\(routeClass.rawValue) \(reason.rawValue)")
        }
        #expect(await shedder.acquire(.newSignIn) == .admitted)
        var waiting: [Task<LoadShedder.Admission, Never>] = []
        for index in 0..<queue {
            waiting.append(Task { await shedder.acquire(.newSignIn) })
            try await Self.waitUntilQueued(shedder, .newSignIn, index + 1)
        }
        #expect(await shedder.acquire(.newSignIn) == .shed(.queueFull))
        #expect(shed.values == ["newSignIn queueFull"])
        #expect(shedder.shedCounts()[.newSignIn] == 1)
        // The shed request took no slot: the queued ones still get theirs in turn.
        for task in waiting {
            shedder.release(.newSignIn)
            #expect(await task.value == .admitted)
        }
        shedder.release(.newSignIn)
        #expect(shedder.snapshot()[.newSignIn]?.inFlight == 0)
    }

    @Test("a request that waits past the queue timeout is shed and leaves the queue")
    func deadlineSheds() async throws {
        let shedder = LoadShedder(limits: Self.limits(signIns: 1, queue: 4, timeout: 0.05))
        #expect(await shedder.acquire(.newSignIn) == .admitted)
        let started = ContinuousClock.now
        #expect(await shedder.acquire(.newSignIn) == .shed(.queueTimeout))
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        #expect(shedder.snapshot()[.newSignIn]?.queued == 0)
        shedder.release(.newSignIn)
        #expect(await shedder.acquire(.newSignIn) == .admitted)
    }

    @Test("a new sign-in waits while a completion waits, even with a free slot; the completion goes first")
    func completionsGoFirst() async throws {
        let shedder = LoadShedder(limits: Self.limits(signIns: 4, completions: 1))
        #expect(await shedder.acquire(.completion) == .admitted)
        let completion = Task { await shedder.acquire(.completion) }
        try await Self.waitUntilQueued(shedder, .completion, 1)
        let signIn = Task { await shedder.acquire(.newSignIn) }
        try await Self.waitUntilQueued(shedder, .newSignIn, 1)
        #expect(shedder.snapshot()[.newSignIn]?.inFlight == 0)
        // Other classes are not held back.
        #expect(await shedder.acquire(.admin) == .admitted)
        shedder.release(.completion)
        #expect(await completion.value == .admitted)
        #expect(await signIn.value == .admitted)
        #expect(shedder.snapshot()[.newSignIn]?.inFlight == 1)
        #expect(shedder.snapshot()[.completion]?.inFlight == 1)
    }

    @Test("classes have their own slots: new sign-ins over their bound do not take a completion's")
    func classesAreSeparate() async throws {
        let shedder = LoadShedder(limits: Self.limits(signIns: 1, completions: 1, queue: 0))
        #expect(await shedder.acquire(.newSignIn) == .admitted)
        #expect(await shedder.acquire(.newSignIn) == .shed(.queueFull))
        #expect(await shedder.acquire(.completion) == .admitted)
        #expect(await shedder.acquire(.other) == .admitted)
        #expect(await shedder.acquire(.admin) == .admitted)
    }

    @Test("run gives the slot back when the body throws")
    func runReleases() async throws {
        struct Boom: Error {}
        let shedder = LoadShedder(limits: Self.limits(signIns: 1, queue: 0))
        await #expect(throws: Boom.self) { _ = try await shedder.run(.newSignIn) { () async throws -> Int in throw Boom() } }
        #expect(try await shedder.run(.newSignIn) { 7 } == 7)
        #expect(shedder.snapshot()[.newSignIn]?.inFlight == 0)
    }

    @Test("routes fall into their classes", arguments: [
        ("POST", "/login", RouteClass.newSignIn), ("POST", "/login/password", .newSignIn), ("POST", "/login/passkey/options", .newSignIn),
        ("GET", "/oauth2/authorize", .newSignIn), ("POST", "/oauth2/authorize", .newSignIn), ("POST", "/oauth2/bc-authorize", .newSignIn),
        ("POST", "/device/v1/challenges/abc/answer", .completion), ("GET", "/device/v1/pending", .completion),
        ("GET", "/login/complete", .completion), ("GET", "/oauth2/authorize/continue", .completion), ("POST", "/oauth2/token", .completion),
        ("GET", "/v1.0/users", .admin), ("GET", "/admin", .admin), ("POST", "/admin/users/x", .admin),
        ("GET", "/login", .other), ("GET", "/login/approve", .other), ("GET", "/static/admin.css", .other),
        ("GET", "/administrator", .other), ("GET", "/.well-known/openid-configuration", .other), ("POST", "/logout", .other),
    ])
    func classification(method: String, path: String, expected: RouteClass) {
        #expect(RouteClass.of(method: method, path: path[...]) == expected)
    }

    @Test("health, metrics and the waits are never shed",
          arguments: ["/health", "/healthz", "/readyz", "/metrics", "/login/status", "/login/events", "/device/v1/connect",
                      "/mysecurityinfo/authenticator/abc/status"])
    func exempt(path: String) {
        #expect(RouteClass.of(method: "GET", path: path[...]) == nil)
    }

    @Test("limits out of range are refused with the flag's name", arguments: [
        ("newSignIns", 0, "--max-concurrent-sign-ins"), ("completions", 100_001, "--max-concurrent-completions"),
        ("queueLength", -1, "--request-queue-length"), ("queueTimeout", 0, "--request-queue-timeout"),
        ("queueTimeout", 61, "--request-queue-timeout"),
    ])
    func validation(field: String, value: Int, flag: String) {
        var limits = LoadLimits()
        #expect(limits.validate() == nil)
        switch field {
        case "newSignIns": limits.newSignIns = value
        case "completions": limits.completions = value
        case "queueLength": limits.queueLength = value
        default: limits.queueTimeout = Double(value)
        }
        #expect(limits.validate()?.hasPrefix(flag) == true)
    }
}
