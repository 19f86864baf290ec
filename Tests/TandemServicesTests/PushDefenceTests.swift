import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

@Suite("Push-bombing defences")
struct PushDefenceTests {
    static func context(_ ip: String) -> ChallengeContext {
        ChallengeContext(application: "Tandem", ipAddress: ip, location: "", browser: "Flood")
    }

    @Test("A flood of 200 sign-in attempts sends at most the configured number of pushes")
    func flood() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let settings = PushProtectionSettings(maxPendingPerUser: 3, freePushes: 3, baseDelaySeconds: 30, maxDelaySeconds: 3600)
        try await PushProtectionService(env: s.t.env).saveSettings(settings, by: nil)
        let before = s.t.push.deliveries.count
        var refused = 0
        for i in 0..<200 {
            let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Self.context("203.0.113.\(i % 250)"))
            do {
                _ = try await s.signIn.submitPassword(token: token, password: "correct horse", context: Self.context("203.0.113.\(i % 250)"))
            } catch let error as TandemError where error.code == .tooManyRequests {
                refused += 1
            }
        }
        let pushes = s.t.push.deliveries.count - before
        #expect(pushes <= settings.freePushes, "\(pushes) pushes for 200 attempts")
        #expect(refused == 200 - pushes)
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        #expect(try await s.devices.pending(for: device).count <= settings.maxPendingPerUser)
        // Waits grow: after the free pushes, 30 s, then 60 s, 120 s... (pending requests expire meanwhile).
        // Measured from the previous push: the flood's requests expire (121 s, past the 30 s wait), then
        // the next push needs 60 s, then 120 s. Each allowed request is withdrawn so the pending cap stays out of the way.
        for (wait, allowed) in [(121.0, true), (59.0, false), (1.0, true), (119.0, false), (1.0, true)] {
            s.t.clock.advance(by: wait)
            let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Self.context("203.0.113.1"))
            let pushed = (try? await s.signIn.submitPassword(token: token, password: "correct horse", context: Self.context("203.0.113.1"))) != nil
            #expect(pushed == allowed, "after \(wait) more seconds")
            if pushed { _ = try await s.signIn.usePassword(token: token) }
        }
        #expect(settings.requiredWait(pushesSinceSuccess: 3) == 30)
        #expect(settings.requiredWait(pushesSinceSuccess: 5) == 120)
        #expect(settings.requiredWait(pushesSinceSuccess: 40) == 3600)
    }

    @Test("Failures survive new requests and lock push at the bound; the sign-in is refused, not downgraded")
    func failureLock() async throws {
        let s = try await Scenario()
        try await PushProtectionService(env: s.t.env).saveSettings(PushProtectionSettings(freePushes: 100, failureLockThreshold: 3), by: nil)
        let phone = try await s.addPhone()
        for attempt in 1...3 {
            let token = try await s.startMFA()
            let (offer, number) = try await s.offer(for: token, phone: phone)
            let wrong = number == "10" ? "11" : "10"
            _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: wrong))
            #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == attempt)
            // A new request never resets the count.
            if attempt < 3 {
                _ = try await s.signIn.resend(token: token, context: Scenario.context)
                #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == attempt)
                let (next, _) = try await s.offer(for: token, phone: phone)
                _ = try await s.signIn.usePassword(token: token)
                #expect(try await s.t.storage.challenge(id: next.id)?.state == .withdrawn)
            }
        }
        #expect(try await s.t.storage.security(userID: s.user.id).pushLockedAt != nil)
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        await #expect(throws: TandemError(.locked, "")) {
            try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context)
        }
        let flow = try await s.signIn.flow(token: token)
        #expect(flow.stage == .password && !flow.passwordVerified, "a locked user must not sign in with the password alone")
        let logID = try #require(flow.signInID)
        let log = try #require(try await s.t.storage.signIn(id: logID))
        #expect(log.errorCode == 50053)
        // An administrator unblocks: push works again and the count starts over.
        try await ReportService(env: s.t.env).unblock(s.user, by: nil)
        #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == 0)
        _ = try await s.startMFA()
    }

    @Test("An unanswered request counts as a failure")
    func timeoutCounts() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        _ = try await s.offer(for: token, phone: phone)
        s.t.clock.advance(by: 121)
        #expect(try await s.signIn.status(token: token).state == .expired)
        #expect(try await s.t.storage.user(id: s.user.id)?.pushFailures == 1)
    }

    @Test("'No, it's not me' blocks, withdraws, revokes, audits and alerts; an unblock restores")
    func report() async throws {
        let s = try await Scenario()
        try await PushProtectionService(env: s.t.env).saveSettings(PushProtectionSettings(freePushes: 100), by: nil)
        let phone = try await s.addPhone()
        // A signed-in session that the report must end.
        let first = try await s.startMFA()
        let (o1, n1) = try await s.offer(for: first, phone: phone)
        _ = try await s.challenges.answer(challengeID: o1.id, phone.answer(o1, .approve, number: n1))
        let (sessionToken, _) = try await s.signIn.complete(token: first)
        #expect(try await s.signIn.user(sessionToken: sessionToken) != nil)
        // And an application's grant (refresh and access tokens) that the report must revoke.
        try await s.t.storage.insertGrant(OIDCGrant(id: "grant-1", clientID: "app", userID: s.user.id, scopes: ["openid", "offline_access"],
                                                    methods: ["pwd", "mfa"], authTime: s.t.clock.now(), createdAt: s.t.clock.now()))
        // Two pending requests; the user reports one.
        let a = try await s.startMFA()
        let (reported, _) = try await s.offer(for: a, phone: phone)
        let b = try await s.startMFA()
        let (other, _) = try await s.offer(for: b, phone: phone)
        let verdict = try await s.challenges.answer(challengeID: reported.id, phone.answer(reported, .report))
        #expect(verdict.state == .reported)
        #expect(try await s.t.storage.challenge(id: other.id)?.state == .withdrawn)
        #expect(try await s.signIn.user(sessionToken: sessionToken) == nil)
        #expect(try await s.t.storage.grant(id: "grant-1")?.revokedAt != nil)
        let security = try await s.t.storage.security(userID: s.user.id)
        #expect(security.isPushBarred(at: s.t.clock.now()) && security.riskLevel == "high" && security.riskState == "atRisk")
        #expect(try await s.t.storage.audits(limit: 10, before: nil).contains { $0.activity == "User reported suspicious activity" })
        let alert = try #require(s.t.alerts.alerts.first)
        #expect(alert.event == "suspiciousActivityReported" && alert.details["userPrincipalName"] == "alice@contoso.com")
        // Blocked: no push, no phone sign-in, and the password alone does not get in.
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        await #expect(throws: TandemError(.locked, "")) {
            try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context)
        }
        let blockedID = try #require(try await s.signIn.flow(token: token).signInID)
        #expect(try await s.t.storage.signIn(id: blockedID)?.errorCode == 53003)
        try await ReportService(env: s.t.env).unblock(s.user, by: nil)
        #expect(try await s.t.storage.security(userID: s.user.id).riskState == "dismissed")
        _ = try await s.startMFA()
    }

    @Test("A report blocks only for the configured minutes when set")
    func timedBlock() async throws {
        let s = try await Scenario()
        try await PushProtectionService(env: s.t.env).saveReportSettings(ReportSuspiciousActivitySettings(blockMinutes: 30), by: nil)
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, _) = try await s.offer(for: token, phone: phone)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .report))
        await #expect(throws: TandemError.self) { try await s.startMFA() }
        s.t.clock.advance(by: 31 * 60)
        _ = try await s.startMFA()
    }

    @Test("A request from an unfamiliar network and country goes out quietly; a familiar one is pushed")
    func suppression() async throws {
        let locator = TableLocator([("198.51.100.", Place(displayName: "Germany (DE)", country: "DE")),
                                    ("192.0.2.", Place(displayName: "Germany (DE)", country: "DE")),
                                    ("203.0.113.", Place(displayName: "Brazil (BR)", country: "BR"))])
        let s = try await Scenario(locator: locator)
        let phone = try await s.addPhone()
        // First sign-in ever: nothing is unfamiliar yet. It makes 198.51.100.0/24 and DE familiar.
        let (first, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Self.context("198.51.100.7"))
        _ = try await s.signIn.submitPassword(token: first, password: "correct horse", context: Self.context("198.51.100.7"))
        let (o, n) = try await s.offer(for: first, phone: phone)
        #expect(try await s.t.storage.challenge(id: o.id)?.suppressed == false)
        _ = try await s.challenges.answer(challengeID: o.id, phone.answer(o, .approve, number: n))
        _ = try await s.signIn.complete(token: first)
        for (ip, quiet) in [("203.0.113.9", true), ("198.51.100.200", false), ("192.0.2.5", false)] {
            let pushes = s.t.push.deliveries.count
            let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Self.context(ip))
            _ = try await s.signIn.submitPassword(token: token, password: "correct horse", context: Self.context(ip))
            let challengeID = try #require(try await s.signIn.flow(token: token).challengeID)
            #expect(try await s.t.storage.challenge(id: challengeID)?.suppressed == quiet, "\(ip)")
            #expect(s.t.push.deliveries.count == pushes + (quiet ? 0 : 1), "\(ip)")
            // Quiet or not, the app lists it when opened.
            let device = try #require(try await s.t.storage.device(id: phone.deviceID))
            #expect(try await s.devices.pending(for: device).contains { $0.id == challengeID })
            let trail = try await s.t.storage.trail(challengeID: challengeID).map(\.event)
            #expect(trail.contains("created") && trail.contains("listed") && trail.contains("suppressed") == quiet)
            _ = try await s.signIn.usePassword(token: token)
        }
    }

    @Test("The sign-in log explains each attempt with Entra's codes and steps")
    func signInLog() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number == "10" ? "11" : "10"))
        let flow = try await s.signIn.flow(token: token)
        let recordID = try #require(flow.signInID)
        let record = try #require(try await s.t.storage.signIn(id: recordID))
        #expect(record.errorCode == 500121)
        #expect(record.additionalDetails == "MFA denied; user did not select the correct number")
        #expect(record.steps.map(\.method) == ["Password", "Mobile app notification"])
        #expect(record.steps.map(\.succeeded) == [true, false])
        #expect(record.policyReason?.contains("allowed in mode any") == true)
        let (bad, _) = try await s.signIn.begin(username: "nobody@contoso.com", context: Scenario.context)
        _ = try? await s.signIn.submitPassword(token: bad, password: "x", context: Scenario.context)
        let unknownID = try #require(try await s.signIn.flow(token: bad).signInID)
        let unknown = try #require(try await s.t.storage.signIn(id: unknownID))
        #expect(unknown.errorCode == 50034 && unknown.userID == nil)
        let good = try await s.startMFA()
        let (o2, n2) = try await s.offer(for: good, phone: phone)
        _ = try await s.challenges.answer(challengeID: o2.id, phone.answer(o2, .approve, number: n2))
        let id = try #require(try await s.signIn.flow(token: good).signInID)
        _ = try await s.signIn.complete(token: good)
        let success = try #require(try await s.t.storage.signIn(id: id))
        #expect(success.errorCode == 0 && success.steps.dropLast().last?.detail == "MFA successfully completed")
        // Decision 0025: the last step is the strength the sign-in satisfied.
        #expect(success.steps.last?.method == SignInJournal.strengthStep && success.steps.last?.detail == "Multifactor authentication")
    }
}
