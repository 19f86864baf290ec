import Foundation
import Logging
import TandemCore

/// A sign-in over RADIUS (issue 14, decision 0019): the web sign-in's flow driven by
/// Access-Requests, through `SignInService`'s public entry points only, so the password is
/// checked, throttled and logged exactly as on the web and the push goes through the same
/// defences. The first Access-Request (user name + PAP password) starts a flow and checks the
/// password; a second factor answers Access-Challenge with the number in the Reply-Message and
/// the flow in `State` (sealed: the flow's token never leaves the server); the next
/// Access-Requests with that State are answered Accept once the phone approved, Reject when the
/// request was denied, reported or expired, or another Challenge while it waits. A password is
/// always needed on this path; passwordless is refused.
public struct RadiusSignInService: Sendable {
    let env: ServiceEnvironment
    let signIn: SignInService
    let sealer: any RadiusSealer
    let logger: Logger
    /// How long one request may wait for the phone before the answer is "still waiting" (the
    /// client's own timeout is typically 3–5 s; the waiting happens between challenges).
    let wait: TimeInterval

    public init(env: ServiceEnvironment, sealer: any RadiusSealer, wait: TimeInterval = 1.5, logger: Logger = Logger(label: "tandem.radius")) {
        self.env = env
        self.signIn = SignInService(env: env)
        self.sealer = sealer
        self.wait = wait
        self.logger = logger
    }

    /// What to answer an Access-Request.
    public struct Reply: Sendable, Equatable {
        public var code: RadiusPacket.Code
        public var message: String?
        public var state: [UInt8]?

        public init(code: RadiusPacket.Code, message: String? = nil, state: [UInt8]? = nil) {
            self.code = code
            self.message = message
            self.state = state
        }

        static func reject(_ message: String) -> Reply { Reply(code: .accessReject, message: message) }

        /// The reply's attributes (Reply-Message, State), before the Message-Authenticator.
        public var attributes: [RadiusAttribute] {
            var attributes: [RadiusAttribute] = []
            if let message { attributes.append(.text(.replyMessage, message)) }
            if let state { attributes.append(RadiusAttribute(.state, state)) }
            return attributes
        }
    }

    static let incorrect = "Your account or password is incorrect."
    static let expired = "Your sign-in has expired. Start again."

    /// Answers one authenticated Access-Request (its Message-Authenticator already checked)
    /// from `client`, whose packets come from `sourceAddress`. Never throws: a storage failure
    /// is a Reject, logged.
    public func handle(_ request: RadiusPacket, from client: RadiusClient, secret: [UInt8], sourceAddress: String) async -> Reply {
        guard request.code == .accessRequest, let sent = request.text(.userName), !sent.isEmpty else {
            return .reject(Self.incorrect)
        }
        let username = client.principalName(sent)
        guard let hidden = request.attribute(.userPassword),
              let typed = RadiusPacket.revealPassword(hidden, secret: secret, requestAuthenticator: request.authenticator)
        else { return .reject("Only PAP (User-Password) is supported.") }
        let context = Self.context(request, client: client, sourceAddress: sourceAddress)
        do {
            if let state = request.attribute(.state) {
                return try await resume(state: state, username: username, typed: String(decoding: typed, as: UTF8.self), client: client, context: context)
            }
            return try await start(username: username, password: String(decoding: typed, as: UTF8.self), client: client, context: context)
        } catch let error as TandemError {
            // The service's client-safe message (wrong password, throttled, flooded, expired).
            try? await countFailure(client)
            return .reject(Self.clean(error.message))
        } catch {
            logger.error("RADIUS sign-in failed", metadata: ["tandem.radiusClient": "\(client.id)", "tandem.error": "\(type(of: error))"])
            return .reject("The sign-in service is not available. Try again later.")
        }
    }

    /// The sign-in log's and the phone's context: the client's name as the application, its id as
    /// the log's `appId`; the user's address from Calling-Station-Id when it is an IP address
    /// (what a VPN reports), else the client's own address; the Calling-Station-Id as the "browser".
    static func context(_ request: RadiusPacket, client: RadiusClient, sourceAddress: String) -> ChallengeContext {
        let station = request.text(.callingStationID)?.trimmingCharacters(in: .whitespaces)
        let address = station.flatMap { CIDR.parseAddress($0) != nil ? $0 : nil } ?? sourceAddress
        let browser = "RADIUS" + (station.map { " · Calling-Station-Id \(String($0.prefix(64)))" } ?? "")
        var context = ChallengeContext(application: client.displayName, ipAddress: address, location: "Unknown location", browser: browser)
        // The sign-in log's appId (decision 0032): the client's id in the RADIUS client store
        // (`/v1.0/tandem/radiusClients/{id}`), stable across renames.
        context.applicationID = client.id
        return context
    }

    /// A message fit for a Reply-Message: one line.
    static func clean(_ message: String) -> String {
        String(message.map { $0.isNewline ? " " : $0 })
    }

    static func stateContext(_ client: RadiusClient) -> String { "radius-state|" + client.id }

    // MARK: the first Access-Request

    func start(username: String, password: String, client: RadiusClient, context: ChallengeContext) async throws -> Reply {
        // The client's and the name's buckets of failed attempts: read here (no write, so a busy
        // client's sign-ins don't race on one row), a token taken on each failure.
        guard try await hasToken(Self.clientBucket(client)) else {
            logger.notice("RADIUS client throttled", metadata: ["tandem.radiusClient": "\(client.id)"])
            return .reject("Too many sign-in attempts. Wait a moment and try again.")
        }
        guard try await hasToken(Self.userBucket(username)) else {
            return .reject("Too many sign-in attempts. Wait a moment and try again.")
        }
        // A password is always sent here: never phone sign-in first.
        var (token, flow) = try await signIn.begin(username: username, context: context, passwordFirst: true)
        flow = try await signIn.submitPassword(token: token, password: password, context: context, passkeyPossible: false)
        return try await next(after: flow, token: token, username: username, client: client)
    }

    /// Where the flow stands after the password (or a code): a challenge, or the end.
    func next(after flow: SignInFlow, token: String, username: String, client: RadiusClient) async throws -> Reply {
        switch flow.stage {
        case .push:
            let status = try await signIn.status(token: token)
            guard status.state == .pending, let number = status.number else { return try await ended(status, client: client, username: username) }
            return Reply(code: .accessChallenge, message: "Open your Authenticator app and enter \(number), then press Enter here.",
                         state: try state(token, client: client))
        case .code where flow.proven.contains(.verificationCode):
            return try await finish(token: token, client: client, username: username)
        case .code:
            return Reply(code: .accessChallenge, message: "Enter the code from your Authenticator app.", state: try state(token, client: client))
        case .register:
            try await countFailure(client, username: username)
            return .reject("Your organization needs more information to keep your account secure: set up the Authenticator app first.")
        case .password, .done, .enrol, .passkey:
            // `enrol` never arises here (a RADIUS sign-in never opens the strength interrupt), nor
            // `passkey` (no passkey is asked of a RADIUS client, decision 0033).
            return try await finish(token: token, client: client, username: username)
        }
    }

    // MARK: the Access-Requests with State

    func resume(state: [UInt8], username: String, typed: String, client: RadiusClient, context: ChallengeContext) async throws -> Reply {
        guard let opened = sealer.open(String(decoding: state, as: UTF8.self), context: Self.stateContext(client)) else {
            logger.notice("RADIUS State that does not open", metadata: ["tandem.radiusClient": "\(client.id)"])
            return .reject(Self.expired)
        }
        let token = String(decoding: opened, as: UTF8.self)
        let flow = try await signIn.flow(token: token)
        guard ConstantTime.equals(flow.username.lowercased(), username.lowercased()) else { return .reject(Self.expired) }
        switch flow.stage {
        case .code where !flow.proven.contains(.verificationCode):
            let after = try await signIn.submitCode(token: token, code: typed.trimmingCharacters(in: .whitespaces), context: context)
            return try await next(after: after, token: token, username: username, client: client)
        case .push:
            let status = try await signIn.status(token: token, wait: wait)
            switch status.state {
            case .pending?:
                return Reply(code: .accessChallenge,
                             message: "Still waiting for your approval: enter \(status.number ?? "the number") in your Authenticator app, then press Enter again.",
                             state: state)
            case .approved?:
                return try await finish(token: token, client: client, username: username)
            default:
                return try await ended(status, client: client, username: username)
            }
        default:
            return .reject(Self.expired)
        }
    }

    /// The push ended without an approval.
    func ended(_ status: FlowStatus, client: RadiusClient, username: String) async throws -> Reply {
        try await countFailure(client, username: username)
        switch status.state {
        case .denied?: return .reject("The request was denied in the Authenticator app.")
        case .reported?: return .reject("The request was reported in the Authenticator app.")
        case .expired?: return .reject("The request in the Authenticator app expired. Sign in again.")
        default: return .reject(Self.expired)
        }
    }

    /// Completes the flow as the web does (sign-in log, throttle reset) without a web session, a
    /// remembered browser or a change of the user's last web method: RADIUS needs only the
    /// verdict. Fails closed when the user must register first.
    func finish(token: String, client: RadiusClient, username: String) async throws -> Reply {
        let completed = try await signIn.completeSignIn(token: token, browser: false)
        guard !completed.registrationOnly, !completed.registrationRequired else {
            try await countFailure(client, username: username)
            return .reject("Your organization needs more information to keep your account secure: set up the Authenticator app first.")
        }
        logger.info("RADIUS sign-in accepted", metadata: ["tandem.radiusClient": "\(client.id)", "tandem.user": "\(completed.session.userID)"])
        return Reply(code: .accessAccept, message: "Signed in.")
    }

    func state(_ token: String, client: RadiusClient) throws -> [UInt8] {
        Array(try sealer.seal(Array(token.utf8), context: Self.stateContext(client)).utf8)
    }

    // MARK: throttling

    static func clientBucket(_ client: RadiusClient) -> String { "radius-client:" + client.id }
    static func userBucket(_ username: String) -> String { "radius-user:" + SecretDigest.of(username.lowercased()) }

    /// Whether the bucket `takeAddressToken` keeps under `key` holds a token now (its refill
    /// counted as `SignInThrottleService` counts it), without taking one.
    func hasToken(_ key: String) async throws -> Bool {
        guard let record = try await env.storage.throttleRecord(key: "ip|" + key) else { return true }
        let settings = try await SignInThrottleService(env: env).settings()
        let refill = Int(env.clock.now().timeIntervalSince(record.updatedAt) * Double(settings.ipPerMinute) * 1000 / 60)
        return min(settings.ipBurst * 1000, record.milliTokens + max(0, refill)) >= 1000
    }

    /// A failed RADIUS sign-in takes a token from the client's bucket and the name's.
    func countFailure(_ client: RadiusClient, username: String? = nil) async throws {
        let throttle = SignInThrottleService(env: env)
        _ = try await throttle.takeAddressToken(Self.clientBucket(client))
        if let username { _ = try await throttle.takeAddressToken(Self.userBucket(username)) }
    }
}
