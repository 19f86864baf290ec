import Foundation

/// Why an event was refused by a challenge. Network input never traps: it gets one of these.
public enum ChallengeRejection: String, Error, Sendable, Equatable {
    /// The challenge is no longer pending (already answered, withdrawn or redeemed).
    case notPending
    /// The server clock says the challenge has expired.
    case expired
    /// Only an approved challenge can be redeemed.
    case notApproved
}

extension Challenge {
    /// What the owner must do after an event.
    public enum Action: Equatable, Sendable {
        /// The answer approved the challenge: persist and notify.
        case approved
        /// The answer denied it (reason says whether by the user or by a wrong number); a wrong number counts a failure.
        case denied(ChallengeReason)
        /// The user reported the request as not theirs.
        case reported
        /// The challenge expired now; persist the expiry.
        case expired
        /// The challenge was withdrawn.
        case withdrawn
        /// The approval was redeemed for a session.
        case redeemed
        /// Nothing changed; the event is refused for this reason.
        case reject(ChallengeRejection)
    }

    /// A device answers. `typedNumber` is only read for an approval; it is compared in constant time.
    public mutating func answer(_ decision: AnswerDecision, typedNumber: String?, deviceID: String, now: Date) -> Action {
        guard state == .pending else { return .reject(.notPending) }
        if now >= expiresAt {
            finish(.expired, reason: .timedOut, by: nil, at: now)
            return .reject(.expired)
        }
        switch decision {
        case .approve:
            guard let typed = typedNumber, NumberMatch.matches(typed: typed, expected: number) else {
                finish(.denied, reason: .wrongNumber, by: deviceID, at: now)
                return .denied(.wrongNumber)
            }
            finish(.approved, reason: nil, by: deviceID, at: now)
            return .approved
        case .deny:
            finish(.denied, reason: .userDenied, by: deviceID, at: now)
            return .denied(.userDenied)
        case .report:
            finish(.reported, reason: .reportedFraud, by: deviceID, at: now)
            return .reported
        }
    }

    /// The server clock ticks: a pending challenge past its expiry expires.
    public mutating func expireIfDue(now: Date) -> Action {
        guard state == .pending else { return .reject(.notPending) }
        guard now >= expiresAt else { return .reject(.notPending) }
        finish(.expired, reason: .timedOut, by: nil, at: now)
        return .expired
    }

    /// The challenge is withdrawn (a new request replaced it, or the sign-in was abandoned).
    public mutating func withdraw(reason: ChallengeReason, now: Date) -> Action {
        guard state == .pending else { return .reject(.notPending) }
        finish(.withdrawn, reason: reason, by: nil, at: now)
        return .withdrawn
    }

    /// The browser exchanges an approval for a session, exactly once.
    public mutating func redeem(now: Date) -> Action {
        guard state == .approved else { return .reject(.notApproved) }
        state = .redeemed
        return .redeemed
    }

    private mutating func finish(_ newState: ChallengeState, reason: ChallengeReason?, by deviceID: String?, at now: Date) {
        state = newState
        self.reason = reason
        answeredBy = deviceID
        answeredAt = now
    }
}
