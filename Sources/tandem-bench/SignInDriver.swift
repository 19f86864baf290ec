import AsyncHTTPClient
import Foundation
import Histogram
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import Synchronization
import TandemCore

/// Runs complete passwordless sign-ins the way a browser and a phone do them:
///
/// 1. browser `POST /login` (username) → the server creates the request and pushes it;
/// 2. browser `GET /login/status` → the number, then `GET /login/status?wait=30` (long-poll);
/// 3. phone: the request arrives on its WebSocket (push delivery time), it signs the approval
///    with the phone sign-in key and `POST /device/v1/challenges/{id}/answer`s it;
/// 4. the browser's wait returns `approved`; `GET /login/complete` issues the session cookie.
///
/// With a `password` (`--mfa`), an MFA sign-in instead: `POST /login` leads to the password page,
/// `GET /login/password` (the form's CSRF token), `POST /login/password` (bcrypt at the stored
/// hash's cost) sends the MFA push, then as above with the number typed on the phone.
final class SignInDriver: Sendable {
    let baseURL: String
    let http: HTTPClient
    let fleet: DeviceFleet
    let completed = Atomic<Int>(0)
    let failed = Atomic<Int>(0)
    /// New sign-ins the server refused with 503 at `POST /login` (load shedding, decision 0028).
    let shed = Atomic<Int>(0)
    /// Sign-ins refused with 503 at a later step (a phone's answer, the completion): should stay 0.
    let shedLater = Atomic<Int>(0)
    private let free: Mutex<[BenchDevice]>
    private let lastError = Mutex<String?>(nil)
    private let login = Mutex<(cookie: String, token: String)?>(nil)
    let password: String?

    init(baseURL: String, http: HTTPClient, fleet: DeviceFleet, devices: [BenchDevice], password: String? = nil) {
        self.password = password
        self.baseURL = baseURL
        self.http = http
        self.fleet = fleet
        self.free = Mutex(devices.reversed())
    }

    var lastErrorText: String? { lastError.withLock { $0 } }

    struct Sample {
        var total: UInt64
        var push: UInt64
    }

    /// Latencies in microseconds.
    struct Histograms {
        var total = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        var push = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        /// From the (scheduled) start to the 503 of a shed new sign-in.
        var shed = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)

        mutating func record(_ outcome: Outcome) {
            switch outcome {
            case .done(let sample):
                _ = total.record(sample.total / 1000)
                _ = push.record(sample.push / 1000)
            case .shed(let nanoseconds):
                _ = shed.record(nanoseconds / 1000)
            case .failed:
                break
            }
        }

        mutating func add(_ other: Histograms) {
            total.add(other.total)
            push.add(other.push)
            shed.add(other.shed)
        }
    }

    /// `concurrency` users signing in back to back until `end`.
    func closedLoop(concurrency: Int, until end: ContinuousClock.Instant) async -> Histograms {
        await withTaskGroup(of: Histograms.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var histograms = Histograms()
                    while ContinuousClock.now < end {
                        histograms.record(await self.oneSignIn(startedAt: DispatchTime.now().uptimeNanoseconds))
                    }
                    return histograms
                }
            }
            var all = Histograms()
            for await part in group { all.add(part) }
            return all
        }
    }

    /// Sign-ins started at a fixed `rate` per second until `end` (open loop: latency counts from
    /// the scheduled start, so a slow server cannot hide its queue).
    func openLoop(rate: Double, until end: ContinuousClock.Instant) async -> Histograms {
        let interval = 1_000_000_000 / rate
        let origin = DispatchTime.now().uptimeNanoseconds
        return await withTaskGroup(of: Histograms.self) { group in
            var started = 0
            while ContinuousClock.now < end {
                let scheduled = origin + UInt64(Double(started) * interval)
                let now = DispatchTime.now().uptimeNanoseconds
                if scheduled > now { try? await Task.sleep(for: .nanoseconds(Int(scheduled - now))) }
                started += 1
                group.addTask {
                    var histograms = Histograms()
                    histograms.record(await self.oneSignIn(startedAt: scheduled))
                    return histograms
                }
            }
            var all = Histograms()
            for await part in group { all.add(part) }
            return all
        }
    }

    enum Outcome {
        case done(Sample)
        /// Shed at `POST /login`, after this many nanoseconds.
        case shed(UInt64)
        case failed
    }

    /// A 503 answer (load shedding) at `path`.
    struct Shed: Error {
        let path: String
    }

    /// One complete sign-in for a free device's user; counted as completed, shed or failed.
    func oneSignIn(startedAt: UInt64) async -> Outcome {
        guard let device = free.withLock({ $0.popLast() }) else {
            note("no free user: raise --users above the number of sign-ins in flight")
            failed.add(1, ordering: .relaxed)
            return .failed
        }
        defer { free.withLock { $0.insert(device, at: 0) } }
        do {
            let sample = try await signIn(device, startedAt: startedAt)
            completed.add(1, ordering: .relaxed)
            return .done(sample)
        } catch let refused as Shed where refused.path == "/login" {
            shed.add(1, ordering: .relaxed)
            return .shed(DispatchTime.now().uptimeNanoseconds &- startedAt)
        } catch let refused as Shed {
            note("503 at \(refused.path)")
            shedLater.add(1, ordering: .relaxed)
            return .failed
        } catch {
            note("\(error)")
            failed.add(1, ordering: .relaxed)
            return .failed
        }
    }

    private func note(_ text: String) { lastError.withLock { $0 = text } }

    private func signIn(_ device: BenchDevice, startedAt: UInt64) async throws -> Sample {
        fleet.reset(device.index)
        let login = try await loginForm()
        let started = try await request("/login", method: .POST, cookie: "tandem_csrf=\(login.cookie)",
                                        form: "csrf=\(login.token)&username=\(device.userPrincipalName.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
        let firstPage = password == nil ? "/login/approve" : "/login/password"
        guard started.status == .seeOther, started.headers.first(name: "location") == firstPage,
              let flow = Self.cookie("tandem_flow", in: started.headers)
        else { throw BenchError("POST /login gave \(started.status) \(started.headers.first(name: "location") ?? "")") }
        let cookie = "tandem_flow=\(flow)"
        if let password {
            let page = try await request("/login/password", cookie: cookie)
            guard let token = Self.csrfToken(in: String(buffer: page.body)) else { throw BenchError("GET /login/password gave no CSRF token") }
            let typed = try await request("/login/password", method: .POST, cookie: cookie,
                                          form: "csrf=\(token)&password=\(password.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")")
            guard typed.status == .seeOther, typed.headers.first(name: "location") == "/login/approve" else {
                throw BenchError("POST /login/password gave \(typed.status) \(typed.headers.first(name: "location") ?? "")")
            }
        }
        let (numbers, numberSink) = AsyncStream.makeStream(of: String.self)
        defer { numberSink.finish() }

        async let phone: UInt64 = {
            guard let (offer, arrived) = await fleet.next(device.index, timeout: .seconds(20)) else {
                throw BenchError("the push did not arrive within 20 s")
            }
            var typed: String?
            for await number in numbers { typed = number; break }
            guard let typed else { throw BenchError("no number") }
            let body = try WireCoding.encoder().encode(try device.approval(offer, number: typed))
            let answered = try await request("/device/v1/challenges/\(offer.id)/answer", method: .POST, json: body)
            guard answered.status == .ok else { throw BenchError("answer gave \(answered.status): \(String(buffer: answered.body))") }
            return arrived
        }()

        let shown = try await request("/login/status", cookie: cookie)
        let status = try JSONDecoder().decode(StatusView.self, from: Data(buffer: shown.body))
        guard let number = status.number else { throw BenchError("no number on the status: \(String(buffer: shown.body))") }
        numberSink.yield(number)
        numberSink.finish()
        let waited = try await request("/login/status?wait=30", cookie: cookie)
        let final = try JSONDecoder().decode(StatusView.self, from: Data(buffer: waited.body))
        let arrived = try await phone
        guard final.state == "approved" else { throw BenchError("the browser's wait returned \(final.state ?? "nil")") }
        let done = try await request("/login/complete", cookie: cookie)
        guard done.status == .seeOther, Self.cookie("tandem_session", in: done.headers) != nil else {
            throw BenchError("GET /login/complete gave \(done.status)")
        }
        let end = DispatchTime.now().uptimeNanoseconds
        return Sample(total: end &- startedAt, push: arrived &- startedAt)
    }

    /// The username form's CSRF cookie and token, read once from `GET /login` (a browser keeps the
    /// cookie too) and shared by every sign-in of the run.
    private func loginForm() async throws -> (cookie: String, token: String) {
        if let known = login.withLock({ $0 }) { return known }
        let page = try await request("/login")
        guard let cookie = Self.cookie("tandem_csrf", in: page.headers), let token = Self.csrfToken(in: String(buffer: page.body))
        else { throw BenchError("GET /login gave no CSRF cookie and token") }
        let form = (cookie: cookie, token: token)
        login.withLock { $0 = form }
        return form
    }

    struct StatusView: Decodable {
        let state: String?
        let number: String?
    }

    struct Reply {
        let status: HTTPResponseStatus
        let headers: HTTPHeaders
        let body: ByteBuffer
    }

    private func request(_ path: String, method: HTTPMethod = .GET, cookie: String? = nil, form: String? = nil, json: Data? = nil) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let cookie { request.headers.add(name: "cookie", value: cookie) }
        if let form {
            request.headers.add(name: "content-type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        if let json {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: json))
        }
        let response = try await http.execute(request, timeout: .seconds(60))
        let body = try await response.body.collect(upTo: 1 << 20)
        if response.status == .serviceUnavailable { throw Shed(path: String(path.prefix { $0 != "?" })) }
        return Reply(status: response.status, headers: response.headers, body: body)
    }

    /// The value of a page's hidden `csrf` field.
    static func csrfToken(in html: String) -> String? {
        guard let start = html.range(of: #"name="csrf" value=""#), let end = html[start.upperBound...].firstIndex(of: "\"") else { return nil }
        return String(html[start.upperBound..<end])
    }

    static func cookie(_ name: String, in headers: HTTPHeaders) -> String? {
        for value in headers["set-cookie"] {
            let pair = value.split(separator: ";", maxSplits: 1)[0].split(separator: "=", maxSplits: 1)
            if pair.count == 2, pair[0] == name, !pair[1].isEmpty { return String(pair[1]) }
        }
        return nil
    }
}
