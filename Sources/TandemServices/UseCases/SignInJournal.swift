import Foundation
import TandemCore

/// Writes the sign-in log: one record per browser flow, created at the username and updated as
/// each step happens. Entra's error codes are used so administrators can read them as they know them.
public struct SignInJournal: Sendable {
    let env: ServiceEnvironment

    public init(env: ServiceEnvironment) { self.env = env }

    /// Entra error codes and reasons.
    public enum Outcome: Sendable {
        case success
        case successSingleFactor
        case interrupted
        case wrongPassword
        case unknownUser
        case disabledUser
        case pushFailed(String)
        case locked
        case blocked
        /// A required authentication strength was not met (decision 0025); the strength's name.
        case strengthRequired(String)
        case rateLimited(String)
        /// A typed secret not checked: the name waits or is locked, or the address is throttled.
        case throttled(String)

        var code: Int {
            switch self {
            case .success, .successSingleFactor: 0
            case .interrupted: 50074
            case .wrongPassword: 50126
            case .unknownUser: 50034
            case .disabledUser: 50057
            case .pushFailed: 500121
            case .locked: 50053
            case .blocked: 53003
            case .strengthRequired: 53003
            case .rateLimited: 500121
            case .throttled: 50053
            }
        }

        var reason: String? {
            switch self {
            case .success, .successSingleFactor: nil
            case .interrupted: "Strong Authentication is required."
            case .wrongPassword: "Invalid username or password or Invalid on-premise username or password."
            case .unknownUser: "The user account does not exist in the directory."
            case .disabledUser: "The user account is disabled."
            case .pushFailed: "Authentication failed during strong authentication request."
            case .locked: "Account is locked because the user tried to sign in too many times with an incorrect second factor."
            case .blocked: "Access has been blocked: the user reported suspicious activity."
            case .strengthRequired: "Access has been blocked by Conditional Access policies. The access policy does not allow token issuance."
            case .rateLimited: "Authentication failed during strong authentication request."
            case .throttled: "Account is locked because the user tried to sign in too many times with an incorrect user ID or password."
            }
        }

        var details: String? {
            switch self {
            case .pushFailed(let detail), .rateLimited(let detail), .throttled(let detail): detail
            case .strengthRequired(let name): "Authentication strength required: \(name)"
            case .success: "MFA requirement satisfied"
            case .successSingleFactor: "Single-factor authentication"
            default: nil
            }
        }
    }

    /// Opens the record of a new attempt.
    public func open(username: String, user: User?, context: ChallengeContext, place: Place, policyReason: String? = nil) async throws -> String {
        let now = env.clock.now()
        let id = env.random.uuid()
        try await env.storage.insertSignIn(SignInRecord(
            id: id, createdAt: now, updatedAt: now, userID: user?.id, userPrincipalName: user?.userPrincipalName ?? username,
            appDisplayName: context.application.isEmpty ? env.settings.applicationName : context.application,
            appID: context.applicationID,
            ipAddress: context.ipAddress, location: place.displayName, clientApp: "Browser",
            errorCode: user == nil ? Outcome.unknownUser.code : Outcome.interrupted.code,
            failureReason: user == nil ? Outcome.unknownUser.reason : Outcome.interrupted.reason,
            additionalDetails: nil, policyReason: policyReason, steps: []))
        return id
    }

    /// Adds a step and, optionally, sets the outcome and the policy's reason.
    public func step(_ id: String?, method: String, succeeded: Bool, detail: String, requestID: String? = nil,
                     outcome: Outcome? = nil, policyReason: String? = nil) async throws {
        guard let id else { return }
        let now = env.clock.now()
        _ = try await env.storage.amendSignIn(SignInAmendment(
            id: id, at: now, steps: [SignInStep(at: now, method: method, succeeded: succeeded, detail: detail, requestID: requestID)],
            outcome: outcome.map(Self.amendment), policyReason: policyReason))
    }

    /// Sets the outcome without a step.
    /// Returns the finished record.
    @discardableResult
    public func finish(_ id: String?, _ outcome: Outcome, strength: AuthenticationStrength?? = nil) async throws -> SignInRecord? {
        guard let id else { return nil }
        let now = env.clock.now()
        var steps: [SignInStep] = []
        if let strength {
            // Decision 0025: the strongest authentication strength the sign-in satisfied, as a step
            // of the record (shown in the admin portal's detail and Graph's authenticationDetails).
            steps.append(SignInStep(at: now, method: Self.strengthStep, succeeded: strength != nil,
                                    detail: strength?.displayName ?? "None (single-factor authentication)"))
        }
        return try await env.storage.amendSignIn(SignInAmendment(id: id, at: now, steps: steps, outcome: Self.amendment(outcome)))
    }

    static func amendment(_ outcome: Outcome) -> SignInAmendment.Outcome {
        SignInAmendment.Outcome(code: outcome.code, reason: outcome.reason, details: outcome.details)
    }

    /// The method name of the step that records the strength a sign-in satisfied.
    public static let strengthStep = "Authentication strength"

    /// The step result Entra writes for a push outcome.
    public static func pushDetail(_ challenge: Challenge) -> (succeeded: Bool, detail: String, outcome: Outcome?) {
        switch (challenge.state, challenge.reason) {
        case (.approved, _), (.redeemed, _): (true, "MFA successfully completed", nil)
        case (.denied, .wrongNumber?): (false, "MFA denied; user did not select the correct number", .pushFailed("MFA denied; user did not select the correct number"))
        case (.denied, _): (false, "MFA denied; user declined the authentication", .pushFailed("MFA denied; user declined the authentication"))
        case (.reported, _): (false, "MFA denied; user reported fraud", .blocked)
        case (.expired, _): (false, "MFA denied; user did not respond to mobile app notification", .pushFailed("MFA denied; user did not respond to mobile app notification"))
        default: (false, "Request withdrawn (\(challenge.reason?.rawValue ?? challenge.state.rawValue))", nil)
        }
    }

    public static func methodName(_ kind: ChallengeKind) -> String {
        switch kind {
        case .mfa: "Mobile app notification"
        case .passwordless: "Passwordless phone sign-in"
        case .registration: "Mobile app notification (registration)"
        }
    }
}

/// The delivery trail of push requests ("the push I never got").
public struct DeliveryTrail: Sendable {
    let env: ServiceEnvironment

    public init(env: ServiceEnvironment) { self.env = env }

    public func record(_ challengeID: String, _ event: String, channel: String? = nil, deviceID: String? = nil, detail: String? = nil) async {
        try? await env.storage.appendTrail(challengeID: challengeID, TrailEvent(event: event, at: env.clock.now(), channel: channel,
                                                                                deviceID: deviceID, detail: detail))
    }
}
