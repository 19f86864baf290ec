import TandemCore

/// What the push channel tells its listener.
public enum PushEvent: Sendable, Equatable {
    /// The channel is authenticated (`ready`); pending requests follow.
    case connected
    /// A sign-in request, delivered once per challenge id even across reconnects.
    case request(ChallengeOffer)
    /// A request can no longer be answered (answered elsewhere, replaced, expired, cancelled).
    case withdrawn(challengeID: String, reason: String?)
    /// Another authenticator of the user changed (added, phone sign-in turned on or off).
    case notice(DeviceNotice)
    /// The connection dropped or could not be opened; the listener retries after `delay`.
    case reconnecting(delay: Duration)
}
