import Foundation
import Logging
import TandemCore
import Tracing

/// Creates push challenges, delivers them, and applies answers in one atomic state change.
public struct ChallengeService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.challenges")) {
        self.env = env
        self.logger = logger
    }

    /// Creates a challenge for `user` and pushes it to every device that may answer it
    /// (only `targetDevice` for a registration). Throws `conflict` when no device may answer.
    ///
    /// Push protection first (`PushProtectionService.admit`): barred users, the pending cap and the
    /// growing waits refuse the request before anything is stored. A request from an unfamiliar
    /// place is stored and listed but not pushed (quiet). `signInID` ties it to the sign-in log.
    ///
    /// `facts`: the devices and the policy's verdict the caller has just read for the same user (a
    /// sign-in's snapshot), so they are not read again.
    ///
    /// Traced as `tandem.challenge.issue` with a `tandem.challenge.push` child (decision 0029).
    public func issue(to user: User, kind: ChallengeKind, context: ChallengeContext, targetDevice: Device? = nil,
                      signInID: String? = nil, facts: IssueFacts? = nil) async throws -> Challenge {
        try await withSpan("tandem.challenge.issue", ofKind: .internal) { span in
            span.attributes["tandem.user"] = user.id
            span.attributes["tandem.kind"] = kind.rawValue
            return try await issue(to: user, kind: kind, context: context, targetDevice: targetDevice, signInID: signInID,
                                   facts: facts, span: span)
        }
    }

    private func issue(to user: User, kind: ChallengeKind, context: ChallengeContext, targetDevice: Device?,
                       signInID: String?, facts: IssueFacts?, span: any Span) async throws -> Challenge {
        let recipients: [Device]
        if let targetDevice {
            recipients = [targetDevice]
        } else if let facts {
            recipients = facts.devices.filter { $0.userID == user.id && $0.mayAnswer(kind) }
        } else {
            recipients = try await env.storage.devices(userID: user.id).filter { $0.mayAnswer(kind) }
        }
        guard !recipients.isEmpty else { throw TandemError(.conflict, "No authenticator can answer this request.") }
        let verdict = if let facts { facts.verdict } else { try await PolicyService(env: env).verdict(for: user) }
        guard verdict.allows(kind) else { throw TandemError(.forbidden, "The authentication methods policy does not allow this request.") }
        let protection = PushProtectionService(env: env)
        try await protection.admit(user, kind: kind, known: facts?.security, pending: facts?.pending)
        let place = await env.locator.locate(context.ipAddress)
        var shown = context
        shown.location = place.displayName
        shown.applicationID = nil  // the sign-in log's, not the phone's
        if !verdict.showApplication { shown.application = "" }
        if !verdict.showLocation {
            shown.location = ""
            shown.ipAddress = ""
        }
        var challenge = Challenge.make(
            userID: user.id, kind: kind, context: shown, digits: verdict.numberDigits,
            previousNumber: user.lastNumber, lifetime: env.settings.challengeLifetime,
            now: env.clock.now(), random: env.random, targetDeviceID: targetDevice?.id,
            chooseFromThree: verdict.numberPresentation == .chooseFromThree)
        challenge.signInID = signInID
        if kind != .registration {
            challenge.suppressed = try await protection.isUnfamiliar(userID: user.id, ipAddress: context.ipAddress, place: place)
        }
        try await env.storage.insertChallenge(challenge)
        span.attributes["tandem.challenge"] = challenge.id
        span.attributes["tandem.devices"] = recipients.count
        span.attributes["tandem.suppressed"] = challenge.suppressed
        env.traces.remember(challenge.id, span: span, until: challenge.expiresAt.addingTimeInterval(300), now: env.clock.now())
        let trail = DeliveryTrail(env: env)
        await trail.record(challenge.id, "created", channel: "store", detail: "\(kind.rawValue) for \(recipients.count) device(s)")
        try await env.storage.setLastNumber(userID: user.id, number: challenge.number)
        logger.info("push challenge created", metadata: [
            "tandem.user": "\(user.id)", "tandem.challenge": "\(challenge.id)", "tandem.kind": "\(kind.rawValue)",
            "tandem.devices": "\(recipients.count)",
        ])
        if challenge.suppressed {
            await trail.record(challenge.id, "suppressed", detail: "unfamiliar location: not pushed, listed when the app opens")
            logger.notice("push suppressed: unfamiliar location", metadata: ["tandem.user": "\(user.id)", "tandem.challenge": "\(challenge.id)"])
        } else {
            await withSpan("tandem.challenge.push", ofKind: .producer) { push in
                push.attributes["tandem.challenge"] = challenge.id
                push.attributes["tandem.devices"] = recipients.count
                await env.push.deliver(Self.offer(for: challenge, user: user), to: recipients.map(\.id))
            }
        }
        env.metrics.pushSent(kind: kind, devices: challenge.suppressed ? 0 : recipients.count)
        return challenge
    }

    /// What a caller already read about the user a push is for.
    public struct IssueFacts: Sendable {
        public var devices: [Device]
        public var verdict: AuthenticatorVerdict
        /// The user's push protection state, read in the same step (an expired lock already ended).
        public var security: UserSecurity?
        /// The user's pending requests, read in the same step (for the pending cap).
        public var pending: [Challenge]?

        public init(devices: [Device], verdict: AuthenticatorVerdict, security: UserSecurity? = nil, pending: [Challenge]? = nil) {
            self.devices = devices
            self.verdict = verdict
            self.security = security
            self.pending = pending
        }
    }

    /// The device's view of a challenge (never the number).
    public static func offer(for challenge: Challenge, user: User) -> ChallengeOffer {
        ChallengeOffer(id: challenge.id, kind: challenge.kind, nonce: challenge.nonce,
                       userPrincipalName: user.userPrincipalName, displayName: user.displayName,
                       context: challenge.context, createdAt: challenge.createdAt, expiresAt: challenge.expiresAt,
                       choices: challenge.choices)
    }

    /// Reads a challenge, expiring it first if the server clock says it is due.
    public func current(id: String) async throws -> Challenge? {
        guard var challenge = try await env.storage.challenge(id: id) else { return nil }
        if challenge.expireIfDue(now: env.clock.now()) == .expired {
            if try await env.storage.replaceChallenge(challenge, ifStateIs: .pending) {
                if challenge.countsAsFailure { try await PushProtectionService(env: env).recordFailure(userID: challenge.userID) }
                await finished(challenge)
            } else {
                return try await env.storage.challenge(id: id)
            }
        }
        return challenge
    }

    /// Applies a device's answer. Verifies the device, the signature over the canonical bytes with the
    /// key the decision needs, then moves the challenge out of `pending` with a compare-and-set.
    ///
    /// A web device (protocol version 3) signs every answer with its device key, and an approval
    /// also carries its approval passkey's assertion over the same bytes; the passkey's new counter
    /// is written in one transaction with the compare-and-set, so a lost race writes neither.
    /// `publicURL` (the relying party) defaults to the configured one.
    ///
    /// Traced as `tandem.challenge.answer`, a child of the issue span (decision 0029).
    public func answer(challengeID: String, _ request: AnswerRequest, publicURL: String? = nil) async throws -> AnswerResponse {
        try await inChallengeSpan("tandem.challenge.answer", challengeID: challengeID) { span in
            span.attributes["tandem.decision"] = request.decision.rawValue
            let response = try await answer(challengeID: challengeID, request, publicURL: publicURL, span: span)
            span.attributes["tandem.state"] = response.state.rawValue
            if let reason = response.reason { span.attributes["tandem.reason"] = reason.rawValue }
            return response
        }
    }

    private func answer(challengeID: String, _ request: AnswerRequest, publicURL: String?, span: any Span) async throws -> AnswerResponse {
        guard SignedBytes.isToken(challengeID), var challenge = try await env.storage.challenge(id: challengeID) else {
            throw TandemError(.notFound, "No such request.")
        }
        guard SignedBytes.isToken(request.deviceId),
              let device = try await env.storage.device(id: request.deviceId),
              device.userID == challenge.userID, device.state != .removed,
              challenge.targetDeviceID == nil || challenge.targetDeviceID == device.id
        else {
            logger.notice("answer from unknown device refused", metadata: ["tandem.challenge": "\(challengeID)"])
            throw TandemError(.unauthorized, "Unknown device.")
        }
        span.attributes["tandem.device"] = device.id
        guard device.mayAnswer(challenge.kind) else {
            throw TandemError(.forbidden, "This device cannot answer this request.")
        }
        if let user = try await env.storage.user(id: challenge.userID),
           !(try await PolicyService(env: env).verdict(for: user)).allows(challenge.kind) {
            logger.notice("answer refused by policy", metadata: ["tandem.challenge": "\(challengeID)"])
            throw TandemError(.forbidden, "The authentication methods policy does not allow this request.")
        }
        if let number = request.number, !number.isEmpty, !NumberMatch.isWellFormed(number) {
            throw TandemError(.badRequest, "number must be 1 to 8 digits.")
        }
        guard let bytes = SignedBytes.answer(challengeID: challenge.id, nonce: challenge.nonce, deviceID: device.id,
                                             decision: request.decision, number: request.number) else {
            throw TandemError(.badRequest, "An approval needs the number.")
        }
        let key: String?
        switch (request.decision, challenge.kind) {
        case _ where device.platform == .web: key = device.deviceKey
        case (.approve, .passwordless): key = device.phoneSignInKey
        case (.approve, _): key = device.approvalKey
        case (.deny, _), (.report, _): key = device.deviceKey
        }
        guard let key, DeviceSignature.isValid(signature: request.signature, bytes: bytes, publicKey: key) else {
            logger.notice("answer with bad signature refused", metadata: ["tandem.challenge": "\(challengeID)", "tandem.device": "\(device.id)"])
            throw TandemError(.unauthorized, "The signature is not valid.")
        }
        let approval: WebAuthenticatorService.VerifiedApproval? = if device.platform == .web, request.decision == .approve {
            try WebAuthenticatorService(env: env, logger: logger).verifyApproval(request.assertion, over: bytes, device: device,
                                                                                 publicURL: publicURL ?? env.settings.publicURL)
        } else { nil }
        let now = env.clock.now()
        switch challenge.answer(request.decision, typedNumber: request.number, deviceID: device.id, now: now) {
        case .reject(.expired):
            if try await env.storage.replaceChallenge(challenge, ifStateIs: .pending) {
                if challenge.countsAsFailure { try await PushProtectionService(env: env).recordFailure(userID: challenge.userID) }
                await finished(challenge)
            }
            logger.notice("late answer refused", metadata: ["tandem.challenge": "\(challengeID)"])
            throw TandemError(.expired, "The request has expired.")
        case .reject where challenge.state == .expired:
            // Expired before this answer, and already recorded so (a status read, another answer).
            logger.notice("late answer refused", metadata: ["tandem.challenge": "\(challengeID)"])
            throw TandemError(.expired, "The request has expired.")
        case .reject:
            logger.notice("answer to a finished request refused", metadata: ["tandem.challenge": "\(challengeID)", "tandem.state": "\(challenge.state.rawValue)"])
            throw TandemError(.conflict, "The request was already answered or withdrawn.")
        default:
            guard let consequences = try await commit(challenge, approval: approval, device: device, now: now) else {
                logger.notice("answer lost the race", metadata: ["tandem.challenge": "\(challengeID)"])
                throw TandemError(.conflict, "The request was already answered or withdrawn.")
            }
            await DeliveryTrail(env: env).record(challenge.id, "answered", channel: "https", deviceID: device.id,
                                                 detail: "\(challenge.state.rawValue)\(challenge.reason.map { " (\($0.rawValue))" } ?? "")")
            if let added = consequences.added { await AuthenticatorChangeNotices(env: env, logger: logger).deliver(added) }
            if let reported = consequences.reported { await ReportService(env: env).afterCommit(reported) }
        }
        env.metrics.pushAnswered(kind: challenge.kind, state: challenge.state, latency: now.timeIntervalSince(challenge.createdAt))
        logger.info("push challenge answered", metadata: [
            "tandem.challenge": "\(challenge.id)", "tandem.device": "\(device.id)",
            "tandem.state": "\(challenge.state.rawValue)", "tandem.reason": "\(challenge.reason?.rawValue ?? "-")",
        ])
        await finished(challenge)
        return AnswerResponse(challengeId: challenge.id, state: challenge.state, reason: challenge.reason)
    }

    /// What an answer's transaction leaves to do after its commit.
    struct AnswerConsequences: Sendable {
        /// A new device's confirmation: the notice to the user's other devices.
        var added: AuthenticatorChangeNotices.Queued?
        /// "No, it's not me": the withdrawals to announce, the alert.
        var reported: ReportService.Reported?
    }

    /// The answer's compare-and-set and everything it changes in the store, one transaction
    /// (decision 0018): the device's last use (and activation, for a registration), the failure
    /// and success counters, a web approval's passkey counter (a counter that lost its own race
    /// undoes the answer: `counterRegression`), a new device's audit entry and notices, and a
    /// report's block, withdrawals, ended sessions and audit entries. So a crash leaves either
    /// the request pending and nothing of its answer, or all of it. `nil`: the answer lost the race.
    ///
    /// A sign-in's plain approval or denial (no passkey counter, no audit entry) commits its
    /// answer alone and then the counters and the device's last use: a crash in between loses
    /// at most a last-used time or one failure count, never a security action, and the sign-in
    /// does not pay a `BEGIN` and a `COMMIT` (the statement budget, issue 11).
    private func commit(_ challenge: Challenge, approval: WebAuthenticatorService.VerifiedApproval?,
                        device: Device, now: Date) async throws -> AnswerConsequences? {
        if approval == nil, challenge.state != .reported, challenge.kind != .registration {
            guard try await env.storage.replaceChallenge(challenge, ifStateIs: .pending) else { return nil }
            return try await storedConsequences(of: challenge, device: device, now: now)
        }
        do {
            return try await env.transaction { env in
                guard try await env.storage.replaceChallenge(challenge, ifStateIs: .pending) else { return nil }
                if let approval { try await WebAuthenticatorService.record(approval, deviceID: device.id, storage: env.storage) }
                return try await ChallengeService(env: env, logger: logger).storedConsequences(of: challenge, device: device, now: now)
            }
        } catch let error as TandemError where error.wireCode == "counterRegression" {
            logger.notice("web approval refused: the passkey's counter was used by another answer", metadata: [
                "tandem.challenge": "\(challenge.id)", "tandem.device": "\(device.id)",
            ])
            throw error
        }
    }

    /// Withdraws a pending challenge (replaced by a new one, or abandoned). No-op when not pending.
    public func withdraw(challengeID: String, reason: ChallengeReason) async throws {
        if let challenge = try await withdrawStored(challengeID: challengeID, reason: reason) { await finished(challenge) }
    }

    /// The stored half of `withdraw` (for a caller's transaction): the withdrawn challenge, or
    /// `nil` when it was not pending. The caller calls `finished` after committing.
    func withdrawStored(challengeID: String, reason: ChallengeReason) async throws -> Challenge? {
        guard var challenge = try await env.storage.challenge(id: challengeID) else { return nil }
        guard challenge.withdraw(reason: reason, now: env.clock.now()) == .withdrawn else { return nil }
        return try await env.storage.replaceChallenge(challenge, ifStateIs: .pending) ? challenge : nil
    }

    /// Exchanges an approved challenge for its one session: `approved → redeemed`, exactly once.
    /// Traced as `tandem.challenge.redeem`, the sign-in trace's last span (decision 0029).
    public func redeem(challengeID: String) async throws -> Challenge {
        try await inChallengeSpan("tandem.challenge.redeem", challengeID: challengeID, forget: true) { _ in
            try await redeemUntraced(challengeID: challengeID)
        }
    }

    private func redeemUntraced(challengeID: String) async throws -> Challenge {
        guard var challenge = try await current(id: challengeID) else { throw TandemError(.notFound, "No such request.") }
        guard challenge.redeem(now: env.clock.now()) == .redeemed,
              try await env.storage.replaceChallenge(challenge, ifStateIs: .approved)
        else { throw TandemError(.conflict, "The request is not approved or was already used.") }
        return challenge
    }

    /// Every pending, unexpired request `device` may answer.
    public func pendingOffers(for device: Device) async throws -> [ChallengeOffer] {
        guard let user = try await env.storage.user(id: device.userID) else { return [] }
        let verdict = try await PolicyService(env: env).verdict(for: user)
        var offers: [ChallengeOffer] = []
        for stored in try await env.storage.pendingChallenges(userID: device.userID) {
            guard let challenge = try await current(id: stored.id), challenge.state == .pending,
                  device.mayAnswer(challenge.kind), verdict.allows(challenge.kind),
                  challenge.targetDeviceID == nil || challenge.targetDeviceID == device.id
            else { continue }
            offers.append(Self.offer(for: challenge, user: user))
            await DeliveryTrail(env: env).record(challenge.id, "listed", channel: "pending", deviceID: device.id,
                                                 detail: challenge.suppressed ? "quiet request seen when the app opened" : nil)
        }
        return offers
    }

    /// The stored part of an answer's consequences (inside `commit`'s transaction).
    private func storedConsequences(of challenge: Challenge, device: Device, now: Date) async throws -> AnswerConsequences {
        var used = device
        used.lastUsedAt = now
        let confirmsDevice = challenge.kind == .registration && challenge.state == .approved
        if confirmsDevice { used.state = .active }
        try await env.storage.updateDevice(used)
        var consequences = AnswerConsequences()
        let protection = PushProtectionService(env: env)
        switch challenge.state {
        case .approved where confirmsDevice:
            consequences.added = try await AuthenticatorChangeNotices(env: env, logger: logger).announceStored(.authenticatorAdded, device: used)
        case .approved:
            try await protection.recordSuccess(userID: challenge.userID)
        case .denied where challenge.countsAsFailure:
            try await protection.recordFailure(userID: challenge.userID)
        case .reported:
            try await protection.recordFailure(userID: challenge.userID)
            consequences.reported = try await ReportService(env: env).handleStored(challenge)
        default:
            break
        }
        return consequences
    }

    /// Wakes waiting browsers and withdraws the request from the devices that did not answer it.
    /// After a challenge left `pending`: metrics, trail, sign-in log, waiting browsers, other devices.
    func finished(_ challenge: Challenge) async {
        if let method = challenge.kind.signInMethod, challenge.state != .approved {
            env.metrics.signIn(method: method, result: challenge.state.rawValue)
        }
        if challenge.state == .withdrawn || challenge.state == .expired {
            await DeliveryTrail(env: env).record(challenge.id, challenge.state.rawValue, detail: challenge.reason?.rawValue)
        }
        if challenge.signInID != nil {
            let (succeeded, detail, outcome) = SignInJournal.pushDetail(challenge)
            try? await SignInJournal(env: env).step(challenge.signInID, method: SignInJournal.methodName(challenge.kind), succeeded: succeeded,
                                                    detail: detail, requestID: challenge.id, outcome: outcome)
        }
        await env.events.changed(challengeID: challenge.id)
        let others = ((try? await env.storage.devices(userID: challenge.userID)) ?? [])
            .map(\.id).filter { $0 != challenge.answeredBy }
        let reason = challenge.answeredBy != nil ? ChallengeReason.answeredElsewhere.rawValue : (challenge.reason?.rawValue ?? challenge.state.rawValue)
        await env.push.withdraw(challengeID: challenge.id, reason: reason, from: others)
    }
}
