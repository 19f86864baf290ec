import Foundation
import Logging
import TandemCore

/// OpenID Connect CIBA Core 1.0, poll and ping modes, over Tandem's push with number matching.
///
/// The push is an `mfa` request whose context names the client and carries the
/// `binding_message`. CIBA has no number, so Tandem returns its number to the client in the
/// acknowledgement (`tandem_number`): the consumption device shows it, the person types it on the
/// phone (`docs/decisions/0007-oidc.md`).
public struct CIBAService: Sendable {
    let oidc: OIDCEnvironment
    let logger: Logger

    public init(oidc: OIDCEnvironment, logger: Logger = Logger(label: "tandem.ciba")) {
        self.oidc = oidc
        self.logger = logger
    }

    /// The successful authentication request acknowledgement (CIBA Core §7.3) plus `tandem_number`.
    public struct Acknowledgement: Sendable, Codable, Equatable {
        public var authReqID: String
        public var expiresIn: Int
        public var interval: Int
        /// The number the consumption device shows and the person types on the phone.
        public var number: String

        enum CodingKeys: String, CodingKey {
            case interval
            case authReqID = "auth_req_id", expiresIn = "expires_in", number = "tandem_number"
        }
    }

    /// Longest `binding_message`, in characters.
    public static let bindingMessageLimit = 64
    /// `requested_expiry` is kept within these seconds.
    public static let expiryRange: ClosedRange<Int> = 10...600

    /// Starts a backchannel authentication (CIBA Core §7.1). `requester` carries the client's
    /// address for the push's context.
    public func start(_ form: [String: String], client: OIDCClient, requester: ChallengeContext) async throws -> (Acknowledgement, CIBARequest) {
        guard client.allows(.ciba) else { throw OAuthError(.unauthorizedClient, "This client is not registered for CIBA.") }
        // The phone shows no consent screen, so CIBA never grants tandem-admin: it is removed.
        let scopes = OIDCTokenService.scopes(form["scope"] ?? "").filter { $0 != OIDCTokenIssuer.adminScope }
        guard scopes.contains("openid") else { throw OAuthError(.invalidScope, "The scope must contain openid.") }
        if let unknown = scopes.first(where: { !OIDCTokenIssuer.supportedScopes.contains($0) }) {
            throw OAuthError(.invalidScope, "Unknown scope \(unknown).")
        }
        let hints = ["login_hint", "id_token_hint", "login_hint_token"].filter { form[$0] != nil }
        guard hints.count == 1 else {
            throw OAuthError(.invalidRequest, "Send exactly one of login_hint, id_token_hint and login_hint_token.")
        }
        let user: User?
        switch hints[0] {
        case "login_hint":
            user = try await oidc.storage.user(principalName: (form["login_hint"] ?? "").trimmingCharacters(in: .whitespaces))
        case "id_token_hint":
            guard let claims = await OIDCTokenIssuer(oidc: oidc).idTokenHint(form["id_token_hint"] ?? "") else {
                throw OAuthError(.invalidRequest, "id_token_hint is not an ID token of this provider.")
            }
            user = try await oidc.storage.user(id: claims.sub)
        default:
            throw OAuthError(.invalidRequest, "login_hint_token is not supported; use login_hint or id_token_hint.")
        }
        guard let user, user.accountEnabled else { throw OAuthError(.unknownUserID, "No such user.") }

        var message: String? = nil
        if let given = form["binding_message"] {
            guard (1...Self.bindingMessageLimit).contains(given.count),
                  !given.unicodeScalars.contains(where: { CharacterSet.controlCharacters.contains($0) })
            else { throw OAuthError(.invalidBindingMessage, "binding_message must be 1 to \(Self.bindingMessageLimit) characters without control characters.") }
            message = given
        }
        var expiry = Int(oidc.env.settings.challengeLifetime)
        if let text = form["requested_expiry"] {
            guard let asked = Int(text), asked > 0 else { throw OAuthError(.invalidRequest, "requested_expiry must be a positive integer.") }
            expiry = min(max(asked, Self.expiryRange.lowerBound), Self.expiryRange.upperBound)
        }
        var notificationToken: String? = nil
        if client.deliveryMode == .ping {
            guard let token = form["client_notification_token"], (1...1024).contains(token.utf8.count),
                  token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else { throw OAuthError(.invalidRequest, "client_notification_token is required in ping mode.") }
            notificationToken = token
        }

        var env = oidc.env
        env.settings.challengeLifetime = TimeInterval(expiry)
        var context = requester
        context.application = client.displayName
        // The sign-in log's appId (decision 0032); ChallengeService keeps it from the phone.
        context.applicationID = client.clientID
        context.bindingMessage = message
        // The sign-in log's record of this request: the push's outcome is its step, the redeemed
        // grant its success.
        let journal = SignInJournal(env: oidc.env)
        let signInID = try await journal.open(username: user.userPrincipalName, user: user, context: context,
                                              place: await oidc.env.locator.locate(context.ipAddress))
        let challenge: Challenge
        do {
            challenge = try await ChallengeService(env: env).issue(to: user, kind: .mfa, context: context, signInID: signInID)
        } catch let error as TandemError {
            logger.notice("CIBA request refused", metadata: ["tandem.user": "\(user.id)", "tandem.reason": "\(error.code.rawValue)"])
            try? await journal.step(signInID, method: SignInJournal.methodName(.mfa), succeeded: false, detail: error.message,
                                    outcome: await refusal(error, user: user))
            throw OAuthError(.accessDenied, error.message)
        }
        let authReqID = oidc.env.random.identifier(byteCount: 32)
        let now = oidc.now
        let request = CIBARequest(id: SecretDigest.of(authReqID), clientID: client.clientID, userID: user.id, challengeID: challenge.id,
                                  scopes: scopes, bindingMessage: message, notificationToken: notificationToken,
                                  interval: oidc.settings.cibaInterval, createdAt: now, expiresAt: challenge.expiresAt)
        try await oidc.storage.insertCIBARequest(request)
        logger.info("CIBA request started", metadata: ["tandem.client": "\(client.clientID)", "tandem.user": "\(user.id)",
                                                       "tandem.challenge": "\(challenge.id)"])
        return (Acknowledgement(authReqID: authReqID, expiresIn: expiry, interval: oidc.settings.cibaInterval, number: challenge.number), request)
    }

    /// The token request of the CIBA grant (CIBA Core §10.1, §11): the grant once the push is
    /// approved; `authorization_pending`, `slow_down`, `expired_token` or `access_denied` until then.
    func redeem(_ form: [String: String], client: OIDCClient) async throws -> OIDCGrant {
        guard let authReqID = form["auth_req_id"], !authReqID.isEmpty else { throw OAuthError(.invalidRequest, "auth_req_id is required.") }
        guard let request = try await oidc.storage.cibaRequest(id: SecretDigest.of(authReqID)), request.clientID == client.clientID else {
            throw OAuthError(.invalidGrant, "auth_req_id is not valid.")
        }
        guard request.redeemedAt == nil else { throw OAuthError(.invalidGrant, "auth_req_id was already used.") }
        let now = oidc.now
        guard now < request.expiresAt else { throw OAuthError(.expiredToken, "The authentication request has expired.") }
        if let last = request.lastPollAt, now.timeIntervalSince(last) < Double(request.interval) - 0.25 {
            try await oidc.storage.recordCIBAPoll(id: request.id, at: now, interval: request.interval + 5)
            throw OAuthError(.slowDown, "Polling too fast: wait \(request.interval + 5) seconds between requests.")
        }
        try await oidc.storage.recordCIBAPoll(id: request.id, at: now, interval: request.interval)
        let challenges = ChallengeService(env: oidc.env)
        guard let challenge = try await challenges.current(id: request.challengeID) else {
            throw OAuthError(.invalidGrant, "auth_req_id is not valid.")
        }
        switch challenge.state {
        case .pending:
            throw OAuthError(.authorizationPending, "The user has not answered yet.")
        case .expired:
            throw OAuthError(.expiredToken, "The authentication request has expired.")
        case .denied, .reported, .withdrawn:
            throw OAuthError(.accessDenied, "The user denied the request.")
        case .redeemed:
            throw OAuthError(.invalidGrant, "auth_req_id was already used.")
        case .approved:
            let approved: Challenge
            do { approved = try await challenges.redeem(challengeID: challenge.id) } catch is TandemError {
                throw OAuthError(.invalidGrant, "auth_req_id was already used.")
            }
            guard try await oidc.storage.redeemCIBARequest(id: request.id, at: now) else {
                throw OAuthError(.invalidGrant, "auth_req_id was already used.")
            }
            let grant = OIDCGrant(id: oidc.env.random.identifier(), clientID: client.clientID, userID: request.userID, scopes: request.scopes,
                                  methods: ["mfa", "pin", "swk"], authTime: approved.answeredAt ?? now, createdAt: now)
            try await oidc.storage.insertGrant(grant)
            try? await SignInJournal(env: oidc.env).finish(approved.signInID, .success,
                                                           strength: .some(AuthenticationStrength.strongest(satisfiedBy: grant.methods)))
            return grant
        }
    }

    /// The sign-in log's outcome of a push that could not be sent (as the browser's sign-in writes it).
    func refusal(_ error: TandemError, user: User) async -> SignInJournal.Outcome {
        switch error.code {
        case .tooManyRequests: return .rateLimited(error.message)
        case .locked: return (try? await oidc.env.storage.security(userID: user.id))?.pushBlockedUntil != nil ? .blocked : .locked
        default: return .pushFailed(error.message)
        }
    }

    /// Ping mode: waits until the push leaves `pending` (or the request expires), then tells
    /// the client. Runs in the background of the instance that took the request.
    public func pingWhenAnswered(_ request: CIBARequest, authReqID: String, endpoint: String, notifier: any CIBANotifier) async {
        guard let token = request.notificationToken else { return }
        let challenges = ChallengeService(env: oidc.env)
        while !Task.isCancelled {
            let deadline = request.expiresAt.addingTimeInterval(1)
            guard let challenge = try? await challenges.current(id: request.challengeID) else { return }
            if challenge.state != .pending || oidc.now >= deadline { break }
            await oidc.env.events.wait(challengeID: request.challengeID, until: min(deadline, oidc.now.addingTimeInterval(20)), on: oidc.env.clock)
            try? await Task.sleep(for: .milliseconds(20))
        }
        await notifier.ping(endpoint: endpoint, token: token, authReqID: authReqID)
    }
}
