import AsyncHTTPClient
import Crypto
import Foundation
import Logging
import NIOCore
import Prometheus
import TandemCore
import TandemServices

/// Sends Web Push messages (RFC 8030) in the background (docs/decisions/0023-web-push.md): for
/// each target device with a subscription, one POST of the encrypted request id (RFC 8291) with
/// VAPID (RFC 8292), `TTL` = the seconds the request has left, `Urgency: high`, `Topic` = the
/// request id. 201/202 are success; 404/410 delete the subscription; 429, 5xx and network errors
/// are retried with exponential backoff (a `Retry-After` is respected) but never at or after the
/// request's expiry, and not once the request is answered; anything else is given up. A message
/// waiting for its retry holds no sending slot. At most `concurrency` sends run at once and at
/// most `queueLimit` wait; `submit` never waits for the network. Logs name the device, the
/// request and the push service's origin, never the endpoint's path (a capability) or a key.
public actor WebPushSender {
    struct Job: Sendable {
        var challengeID: String
        var expiresAt: Date
        var subscription: WebPushSubscription
        /// Attempts made before this one.
        var attempt = 0
        var deviceID: String { subscription.deviceID }
    }

    let storage: any TandemStorage
    let keys: VAPIDKeys
    let endpoints: any WebPushEndpointCheck
    let clock: any TandemClock
    let random: any RandomSource
    /// The VAPID `sub`: a `mailto:` address or the server's public URL.
    let subject: @Sendable () -> String
    let allowHTTP: Bool
    let logger: Logger
    let record: @Sendable (_ challengeID: String, _ event: String, _ deviceID: String, _ detail: String?) async -> Void
    let results: (@Sendable (String) -> Void)?
    var running = 0
    var queue: [Job] = []
    let concurrency = 8
    let queueLimit = 1000
    /// Delays between attempts before a `Retry-After` or the expiry says otherwise.
    static let backoff: [TimeInterval] = [1, 2, 4, 8, 16, 30]
    static let maximumAttempts = 8

    init(storage: any TandemStorage, keys: VAPIDKeys, endpoints: any WebPushEndpointCheck, clock: any TandemClock, random: any RandomSource,
         subject: @escaping @Sendable () -> String, allowHTTP: Bool, registry: PrometheusCollectorRegistry?,
         logger: Logger = Logger(label: "tandem.webpush"),
         record: @escaping @Sendable (_ challengeID: String, _ event: String, _ deviceID: String, _ detail: String?) async -> Void) {
        self.storage = storage
        self.keys = keys
        self.endpoints = endpoints
        self.clock = clock
        self.random = random
        self.subject = subject
        self.allowHTTP = allowHTTP
        self.logger = logger
        self.record = record
        if let registry {
            let descriptor = MetricNameDescriptor(namespace: "tandem", metricName: "web_push", unitName: "total",
                                                  helpText: "Web Push messages by result (sent, retried, gone, expired, failed, dropped).")
            var counters: [String: Counter] = [:]
            for result in ["sent", "retried", "gone", "expired", "failed", "dropped"] {
                counters[result] = registry.makeCounter(descriptor: descriptor, labels: [("result", result)])
            }
            results = { [counters] result in counters[result]?.increment() }
        } else {
            results = nil
        }
    }

    /// The client: no redirects (an endpoint must not send the server elsewhere), short timeouts, a
    /// few connections per push service. Process-wide and never shut down, like `HTTPClient.shared`.
    static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow,
                                                     timeout: .init(connect: .seconds(5), read: .seconds(10)),
                                                     connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 8))
        configuration.httpVersion = .automatic
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Queues a message about `offer` for each of `deviceIDs` that has a subscription (read in one
    /// statement, in the background); returns at once.
    nonisolated func submit(_ offer: ChallengeOffer, to deviceIDs: [String]) {
        guard !deviceIDs.isEmpty else { return }
        Task {
            let subscriptions: [WebPushSubscription]
            do {
                subscriptions = try await storage.webPushSubscriptions(deviceIDs: deviceIDs)
            } catch {
                logger.warning("web push: cannot read the subscriptions", metadata: ["tandem.challenge": "\(offer.id)"])
                return
            }
            guard !subscriptions.isEmpty else { return }
            await self.enqueue(subscriptions.map { Job(challengeID: offer.id, expiresAt: offer.expiresAt, subscription: $0) })
        }
    }

    func enqueue(_ jobs: [Job]) {
        for job in jobs {
            guard queue.count < queueLimit else {
                results?("dropped")
                logger.warning("web push queue full; message dropped (the app still finds the request when it opens)",
                               metadata: ["tandem.challenge": "\(job.challengeID)", "tandem.device": "\(job.deviceID)"])
                continue
            }
            queue.append(job)
        }
        startWaiting()
    }

    private func startWaiting() {
        while running < concurrency, !queue.isEmpty {
            let job = queue.removeFirst()
            running += 1
            Task {
                await self.deliver(job)
                await self.finished()
            }
        }
    }

    private func finished() {
        running -= 1
        startWaiting()
    }

    /// Makes one attempt. A retry is scheduled (after its delay, without holding a sending slot)
    /// while the request lives and is still pending.
    func deliver(_ job: Job) async {
        var metadata: Logger.Metadata = ["tandem.challenge": "\(job.challengeID)", "tandem.device": "\(job.deviceID)"]
        let subscription = job.subscription
        let endpoint: WebPushEndpoint
        do {
            endpoint = try WebPushEndpoint.parse(subscription.endpoint, allowHTTP: allowHTTP)
            metadata["tandem.push.origin"] = "\(endpoint.origin)"
        } catch {
            logger.warning("web push: the stored endpoint is no longer accepted", metadata: metadata)
            results?("failed")
            return
        }
        let remaining = job.expiresAt.timeIntervalSince(clock.now())
        guard remaining >= 1 else {
            results?("expired")
            logger.info("web push: the request expired before the push service took it", metadata: metadata)
            return
        }
        if job.attempt > 0, let challenge = try? await storage.challenge(id: job.challengeID), challenge.state != .pending {
            logger.info("web push retry dropped: the request was answered or withdrawn", metadata: metadata)
            return
        }
        let outcome = await send(job, subscription: subscription, endpoint: endpoint, ttl: Int(remaining), metadata: metadata)
        switch outcome {
        case .sent(let status):
            results?("sent")
            await record(job.challengeID, "sent", job.deviceID, "web push \(status)")
            logger.info("web push sent", metadata: metadata.merging(["tandem.status": "\(status)"]) { $1 })
        case .gone(let status):
            results?("gone")
            _ = try? await storage.deleteWebPushSubscription(deviceID: job.deviceID, endpoint: subscription.endpoint)
            await record(job.challengeID, "undelivered", job.deviceID, "web push \(status): subscription removed")
            logger.notice("web push subscription gone; removed", metadata: metadata.merging(["tandem.status": "\(status)"]) { $1 })
        case .refused(let status):
            results?("failed")
            await record(job.challengeID, "undelivered", job.deviceID, "web push \(status)")
            logger.warning("web push refused", metadata: metadata.merging(["tandem.status": "\(status)"]) { $1 })
        case .retry(let status, let retryAfter):
            var delay = Self.backoff[min(job.attempt, Self.backoff.count - 1)]
            if let retryAfter { delay = max(delay, retryAfter) }
            // Never after the request's expiry: an attempt must start at least a second before it.
            guard job.attempt + 1 < Self.maximumAttempts, clock.now().addingTimeInterval(delay + 1) < job.expiresAt else {
                results?("expired")
                await record(job.challengeID, "undelivered", job.deviceID, "web push \(status): no success before the request expired")
                logger.notice("web push given up: the request expires before another attempt", metadata: metadata.merging(["tandem.status": "\(status)"]) { $1 })
                return
            }
            results?("retried")
            logger.info("web push will be retried", metadata: metadata.merging(["tandem.status": "\(status)", "tandem.delay": "\(delay)"]) { $1 })
            var next = job
            next.attempt += 1
            Task {
                try? await Task.sleep(for: .milliseconds(Int64(delay * 1000)))
                await self.enqueue([next])
            }
        }
    }

    enum Outcome: Equatable {
        case sent(Int)
        case gone(Int)
        case refused(Int)
        /// Status 0 for a network error or time-out.
        case retry(Int, retryAfter: TimeInterval?)
    }

    func send(_ job: Job, subscription: WebPushSubscription, endpoint: WebPushEndpoint, ttl: Int, metadata: Logger.Metadata) async -> Outcome {
        let request: HTTPClientRequest
        do {
            try await endpoints.check(endpoint)
            request = try await makeRequest(job, subscription: subscription, endpoint: endpoint, ttl: ttl)
        } catch {
            logger.warning("web push not sent: \(error)", metadata: metadata)
            return .refused(0)
        }
        do {
            let response = try await Self.client.execute(request, timeout: .seconds(Int64(min(15, max(1, ttl)))))
            _ = try? await response.body.collect(upTo: 16 * 1024)
            return Self.outcome(status: Int(response.status.code), retryAfter: response.headers.first(name: "Retry-After"), now: clock.now())
        } catch {
            logger.info("web push attempt failed", metadata: metadata.merging(["tandem.error": "\(String(reflecting: type(of: error)))"]) { $1 })
            return .retry(0, retryAfter: nil)
        }
    }

    /// The POST: the encrypted body (a fresh key pair and salt for each attempt) and its headers.
    func makeRequest(_ job: Job, subscription: WebPushSubscription, endpoint: WebPushEndpoint, ttl: Int) async throws -> HTTPClientRequest {
        guard let p256dh = Base64URL.decode(subscription.p256dh), let auth = Base64URL.decode(subscription.auth) else {
            throw TandemError(.badRequest, "the stored subscription keys are damaged")
        }
        let ephemeral = try P256.KeyAgreement.PrivateKey(rawRepresentation: random.bytes(32))
        let body = try WebPushEncryption.encrypt(WebPushMessage(challengeID: job.challengeID).bytes, userAgentPublicKey: p256dh,
                                                 authSecret: auth, ephemeralKey: ephemeral, salt: random.bytes(16))
        var request = HTTPClientRequest(url: subscription.endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.headers.add(name: "Content-Encoding", value: "aes128gcm")
        request.headers.add(name: "TTL", value: String(ttl))
        request.headers.add(name: "Urgency", value: "high")
        // RFC 8030 §5.4: at most 32 characters of the base64url alphabet (request ids are 22).
        if job.challengeID.utf8.count <= 32, job.challengeID.utf8.allSatisfy(Base64URL.isAlphabet) {
            request.headers.add(name: "Topic", value: job.challengeID)
        }
        request.headers.add(name: "Authorization",
                            value: try VAPIDAuthorization.header(audience: endpoint.origin, subject: subject(), key: try await keys.key(), now: clock.now()))
        request.body = .bytes(ByteBuffer(bytes: body))
        return request
    }

    /// What a push service's answer means (RFC 8030 §5, §8.4; RFC 8292 §4).
    static func outcome(status: Int, retryAfter: String?, now: Date) -> Outcome {
        switch status {
        case 200, 201, 202: return .sent(status)
        case 404, 410: return .gone(status)
        case 429, 500...599: return .retry(status, retryAfter: retryAfter.flatMap { Self.retryAfter($0, now: now) })
        default: return .refused(status)
        }
    }

    /// `Retry-After` (RFC 9110 §10.2.3): delay-seconds or an HTTP date; `nil` when neither.
    static func retryAfter(_ text: String, now: Date) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
