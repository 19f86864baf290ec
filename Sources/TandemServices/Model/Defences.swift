import Foundation

/// A user's push-protection state: counters since the last success, locks and blocks, risk.
public struct UserSecurity: Sendable, Equatable {
    /// Pushes sent since the last successful sign-in.
    public var pushesSinceSuccess: Int
    public var lastPushAt: Date?
    /// Set when failures reached the bound: push and phone sign-in are off until an administrator unblocks.
    public var pushLockedAt: Date?
    /// Set by "No, it's not me": push and phone sign-in are off until this time (far future = until unblocked).
    public var pushBlockedUntil: Date?
    /// `none`, `low`, `medium`, `high` (Graph `riskLevel`).
    public var riskLevel: String
    /// `none`, `atRisk`, `dismissed`, `remediated` (Graph `riskState`).
    public var riskState: String
    public var riskDetail: String?
    public var riskUpdatedAt: Date?

    public init(pushesSinceSuccess: Int = 0, lastPushAt: Date? = nil, pushLockedAt: Date? = nil, pushBlockedUntil: Date? = nil,
                riskLevel: String = "none", riskState: String = "none", riskDetail: String? = nil, riskUpdatedAt: Date? = nil) {
        self.pushesSinceSuccess = pushesSinceSuccess
        self.lastPushAt = lastPushAt
        self.pushLockedAt = pushLockedAt
        self.pushBlockedUntil = pushBlockedUntil
        self.riskLevel = riskLevel
        self.riskState = riskState
        self.riskDetail = riskDetail
        self.riskUpdatedAt = riskUpdatedAt
    }

    /// Whether push and phone sign-in are blocked or locked at `now`. A lock older than its duration
    /// still counts here until `PushProtectionService.security(userID:)` ends it.
    public func isPushBarred(at now: Date) -> Bool {
        pushLockedAt != nil || (pushBlockedUntil.map { $0 > now } ?? false)
    }

    /// Whether the failure lock has run its `duration` at `now`.
    public func lockExpired(at now: Date, duration: TimeInterval) -> Bool {
        pushLockedAt.map { now.timeIntervalSince($0) >= duration } ?? false
    }
}

/// One step of a sign-in, as Graph's `authenticationDetails` shows it.
public struct SignInStep: Sendable, Equatable, Codable {
    public var at: Date
    /// "Password", "Mobile app notification", "Passwordless phone sign-in", "Verification code".
    public var method: String
    public var succeeded: Bool
    /// e.g. "MFA successfully completed", "MFA denied; user did not select the correct number".
    public var detail: String
    /// The push request, when the step is one.
    public var requestID: String?

    public init(at: Date, method: String, succeeded: Bool, detail: String, requestID: String? = nil) {
        self.at = at
        self.method = method
        self.succeeded = succeeded
        self.detail = detail
        self.requestID = requestID
    }
}

/// A sign-in attempt (one browser flow), in the spirit of Graph's `signIn`.
/// A change to a sign-in record written in one statement (issue 11): steps appended to the
/// stored ones, and optionally the outcome and the policy's reason set. No read before it.
public struct SignInAmendment: Sendable, Equatable {
    public var id: String
    public var at: Date
    public var steps: [SignInStep]
    /// The new outcome (error code, failure reason, additional details); nil keeps the stored one.
    public var outcome: Outcome?
    /// nil keeps the stored reason.
    public var policyReason: String?

    public struct Outcome: Sendable, Equatable {
        public var code: Int
        public var reason: String?
        public var details: String?
        public init(code: Int, reason: String?, details: String?) {
            self.code = code
            self.reason = reason
            self.details = details
        }
    }

    public init(id: String, at: Date, steps: [SignInStep], outcome: Outcome? = nil, policyReason: String? = nil) {
        self.id = id
        self.at = at
        self.steps = steps
        self.outcome = outcome
        self.policyReason = policyReason
    }

    /// The record with this change applied (what the store writes).
    public func applied(to record: SignInRecord) -> SignInRecord {
        var record = record
        record.steps += steps
        record.updatedAt = at
        if let outcome {
            record.errorCode = outcome.code
            record.failureReason = outcome.reason
            record.additionalDetails = outcome.details
        }
        if let policyReason { record.policyReason = policyReason }
        return record
    }
}

public struct SignInRecord: Sendable, Equatable {
    public var id: String
    public var createdAt: Date
    public var updatedAt: Date
    public var userID: String?
    public var userPrincipalName: String
    public var appDisplayName: String
    /// The OIDC client id (Graph's `appId`) of the application signed in to; nil for Tandem's own
    /// pages, which Graph shows as `SignInRecord.tandemAppID` (decision 0032).
    public var appID: String?
    public var ipAddress: String
    public var location: String
    public var clientApp: String
    /// 0 for success; Entra's error codes otherwise (50126 bad password, 500121 strong auth failed,
    /// 50074 strong auth required / interrupted, 50053 locked, 53003 blocked by policy).
    public var errorCode: Int
    public var failureReason: String?
    public var additionalDetails: String?
    /// The policy evaluator's reason.
    public var policyReason: String?
    public var steps: [SignInStep]

    /// Graph's `appId` of a sign-in to Tandem's own pages (no OIDC client).
    public static let tandemAppID = "tandem"

    /// Graph's `appId`: the client id, else `tandemAppID`.
    public var graphAppID: String { appID ?? Self.tandemAppID }

    public init(id: String, createdAt: Date, updatedAt: Date, userID: String?, userPrincipalName: String, appDisplayName: String,
                appID: String? = nil, ipAddress: String, location: String, clientApp: String, errorCode: Int, failureReason: String?,
                additionalDetails: String?, policyReason: String?, steps: [SignInStep]) {
        self.id = id
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.userID = userID
        self.userPrincipalName = userPrincipalName
        self.appDisplayName = appDisplayName
        self.appID = appID
        self.ipAddress = ipAddress
        self.location = location
        self.clientApp = clientApp
        self.errorCode = errorCode
        self.failureReason = failureReason
        self.additionalDetails = additionalDetails
        self.policyReason = policyReason
        self.steps = steps
    }
}

/// One event in a push request's delivery trail ("the push I never got").
public struct TrailEvent: Sendable, Equatable {
    /// created, suppressed, sent, listed, answered, withdrawn, expired.
    public var event: String
    public var at: Date
    /// websocket, pending (the device listed it), store.
    public var channel: String?
    public var deviceID: String?
    public var detail: String?

    public init(event: String, at: Date, channel: String? = nil, deviceID: String? = nil, detail: String? = nil) {
        self.event = event
        self.at = at
        self.channel = channel
        self.deviceID = deviceID
        self.detail = detail
    }
}

/// A named network (Graph `ipNamedLocation`).
public struct NamedLocation: Sendable, Equatable {
    public var id: String
    public var displayName: String
    public var ipRanges: [String]
    public var isTrusted: Bool
    public var createdAt: Date

    public init(id: String, displayName: String, ipRanges: [String], isTrusted: Bool, createdAt: Date) {
        self.id = id
        self.displayName = displayName
        self.ipRanges = ipRanges
        self.isTrusted = isTrusted
        self.createdAt = createdAt
    }
}

/// Tandem's push-protection settings (stored as a policy document).
public struct PushProtectionSettings: Sendable, Equatable, Codable {
    /// Pending requests a user may have at once; more are refused.
    public var maxPendingPerUser: Int
    /// Pushes allowed since the last success before waits start.
    public var freePushes: Int
    /// The first wait, in seconds; each further push doubles it.
    public var baseDelaySeconds: Int
    /// The longest wait, in seconds.
    public var maxDelaySeconds: Int
    /// Failures (wrong number, denial, no answer) that lock push for the user; 1–100 (NIST SP 800-63B-4: at most 100).
    public var failureLockThreshold: Int
    /// Push requests from a network and country the user never signed in from are not pushed with a
    /// sound, only listed when the app opens.
    public var suppressUnfamiliarLocations: Bool
    /// Minutes a failure lock lasts (decision 0013); `nil` = 60. A Temporary Access Pass sign-in ends it sooner.
    public var failureLockMinutes: Int?

    /// How long a failure lock lasts.
    public var lockDuration: TimeInterval { Double(failureLockMinutes ?? 60) * 60 }

    public init(maxPendingPerUser: Int = 3, freePushes: Int = 3, baseDelaySeconds: Int = 30, maxDelaySeconds: Int = 3600,
                failureLockThreshold: Int = 10, suppressUnfamiliarLocations: Bool = true, failureLockMinutes: Int? = nil) {
        self.failureLockMinutes = failureLockMinutes
        self.maxPendingPerUser = maxPendingPerUser
        self.freePushes = freePushes
        self.baseDelaySeconds = baseDelaySeconds
        self.maxDelaySeconds = maxDelaySeconds
        self.failureLockThreshold = failureLockThreshold
        self.suppressUnfamiliarLocations = suppressUnfamiliarLocations
    }

    /// The wait required before push number `pushesSinceSuccess + 1`.
    public func requiredWait(pushesSinceSuccess: Int) -> TimeInterval {
        guard pushesSinceSuccess >= freePushes else { return 0 }
        let exponent = min(pushesSinceSuccess - freePushes, 30)
        return TimeInterval(min(maxDelaySeconds, baseDelaySeconds << exponent))
    }
}

/// Graph's `reportSuspiciousActivitySettings` plus how long a report blocks.
public struct ReportSuspiciousActivitySettings: Sendable, Equatable, Codable {
    /// `default` (Microsoft-managed: on), `enabled`, `disabled`.
    public var state: String
    public var includeTargetType: String
    public var includeTargetID: String
    public var voiceReportingCode: Int
    /// Minutes a report blocks push and phone sign-in; 0 = until an administrator unblocks.
    public var blockMinutes: Int

    public init(state: String = "default", includeTargetType: String = "group", includeTargetID: String = "all_users",
                voiceReportingCode: Int = 0, blockMinutes: Int = 0) {
        self.state = state
        self.includeTargetType = includeTargetType
        self.includeTargetID = includeTargetID
        self.voiceReportingCode = voiceReportingCode
        self.blockMinutes = blockMinutes
    }
}
