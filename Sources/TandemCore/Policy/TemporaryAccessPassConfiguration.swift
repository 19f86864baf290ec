/// Graph's `temporaryAccessPassAuthenticationMethodConfiguration` (decision 0036): whether passes
/// may be issued and used, for whom, and their limits. Tandem's default keeps what it did before
/// the setting existed (on for everyone, 10 minutes to 30 days, 60 minutes and 8 characters by
/// default); Entra's own defaults (1 to 8 hours) are one PATCH away.
public struct TemporaryAccessPassConfiguration: Sendable, Codable, Equatable {
    public var state: Fido2Configuration.State
    public var includeTargets: [Fido2Configuration.Target]
    public var excludeTargets: [Fido2Configuration.Target]
    public var defaultLifetimeInMinutes: Int
    public var defaultLength: Int
    public var minimumLifetimeInMinutes: Int
    public var maximumLifetimeInMinutes: Int
    /// Every pass is one-time when set.
    public var isUsableOnce: Bool

    /// Graph's bounds for every lifetime and length.
    public static let lifetimeBounds = 10...43_200
    public static let lengthBounds = 8...48

    public init(state: Fido2Configuration.State = .enabled,
                includeTargets: [Fido2Configuration.Target] = [.init(targetType: .group, id: AuthenticatorPolicy.allUsers)],
                excludeTargets: [Fido2Configuration.Target] = [], defaultLifetimeInMinutes: Int = 60, defaultLength: Int = 8,
                minimumLifetimeInMinutes: Int = 10, maximumLifetimeInMinutes: Int = 43_200, isUsableOnce: Bool = false) {
        self.state = state
        self.includeTargets = includeTargets
        self.excludeTargets = excludeTargets
        self.defaultLifetimeInMinutes = defaultLifetimeInMinutes
        self.defaultLength = defaultLength
        self.minimumLifetimeInMinutes = minimumLifetimeInMinutes
        self.maximumLifetimeInMinutes = maximumLifetimeInMinutes
        self.isUsableOnce = isUsableOnce
    }

    public static let `default` = TemporaryAccessPassConfiguration()

    /// Whether `subject` may be given, and may use, a pass: enabled, included, not excluded.
    public func allows(_ subject: PolicySubject) -> Bool {
        guard state == .enabled else { return false }
        if excludeTargets.contains(where: { PolicyEvaluator.matches($0.targetType, $0.id, subject) }) { return false }
        return includeTargets.contains { PolicyEvaluator.matches($0.targetType, $0.id, subject) }
    }

    /// Why the configuration cannot be kept, or `nil`: the lifetimes in Graph's bounds and in order
    /// (minimum ≤ default ≤ maximum), the length in 8–48, someone included while enabled.
    public var problem: String? {
        let b = Self.lifetimeBounds
        for (name, value) in [("minimumLifetimeInMinutes", minimumLifetimeInMinutes), ("maximumLifetimeInMinutes", maximumLifetimeInMinutes),
                              ("defaultLifetimeInMinutes", defaultLifetimeInMinutes)] where !b.contains(value) {
            return "\(name) must be between \(b.lowerBound) and \(b.upperBound)."
        }
        guard minimumLifetimeInMinutes <= defaultLifetimeInMinutes, defaultLifetimeInMinutes <= maximumLifetimeInMinutes else {
            return "minimumLifetimeInMinutes <= defaultLifetimeInMinutes <= maximumLifetimeInMinutes is required."
        }
        guard Self.lengthBounds.contains(defaultLength) else { return "defaultLength must be between 8 and 48." }
        guard state == .disabled || !includeTargets.isEmpty else { return "includeTargets: an enabled method needs at least one target." }
        for t in includeTargets + excludeTargets where t.id.isEmpty || t.id.count > 256 { return "Targets need a user or group id, or all_users." }
        if excludeTargets.contains(where: { $0.id == AuthenticatorPolicy.allUsers }) { return "excludeTargets cannot exclude all_users: set state to disabled instead." }
        guard includeTargets.count <= 50, excludeTargets.count <= 50 else { return "At most 50 targets in each list." }
        return nil
    }
}
