import Foundation

/// An administrator's requirement of an authentication strength, in the shape of Entra's
/// conditional-access policy (`conditionalAccessPolicy` with `grantControls.authenticationStrength`),
/// reduced to what Tandem enforces: who (users and groups, with exclusions) and which application
/// (a registered OIDC client's `client_id`, or `All`, which also covers Tandem's own pages).
/// Decision 0025.
public struct StrengthRequirement: Sendable, Codable, Equatable {
    public static let all = "All"

    public enum State: String, Sendable, Codable, CaseIterable {
        case enabled, disabled
    }

    public var id: String
    public var displayName: String
    public var state: State
    /// User ids, or `All`.
    public var includeUsers: [String]
    public var excludeUsers: [String]
    public var includeGroups: [String]
    public var excludeGroups: [String]
    /// OIDC `client_id`s, or `All` (every application and Tandem's own sign-in).
    public var includeApplications: [String]
    public var strength: AuthenticationStrength
    public var createdAt: Date
    public var modifiedAt: Date?

    public init(id: String, displayName: String, state: State = .enabled, includeUsers: [String] = [], excludeUsers: [String] = [],
                includeGroups: [String] = [], excludeGroups: [String] = [], includeApplications: [String] = [all],
                strength: AuthenticationStrength, createdAt: Date, modifiedAt: Date? = nil) {
        self.id = id
        self.displayName = displayName
        self.state = state
        self.includeUsers = includeUsers
        self.excludeUsers = excludeUsers
        self.includeGroups = includeGroups
        self.excludeGroups = excludeGroups
        self.includeApplications = includeApplications
        self.strength = strength
        self.createdAt = createdAt
        self.modifiedAt = modifiedAt
    }

    /// Whether the requirement applies to a sign-in of `subject` for `application` (an OIDC
    /// `client_id`; `nil` for Tandem's own pages, which only `All` covers). Exclusions win.
    public func applies(to subject: PolicySubject, application: String?) -> Bool {
        guard state == .enabled else { return false }
        let appCovered = includeApplications.contains(Self.all) || application.map(includeApplications.contains) == true
        guard appCovered else { return false }
        if excludeUsers.contains(subject.userID) || !subject.groupIDs.isDisjoint(with: excludeGroups) { return false }
        return includeUsers.contains(Self.all) || includeUsers.contains(subject.userID) || !subject.groupIDs.isDisjoint(with: includeGroups)
    }

    /// The strengths the requirements demand of this sign-in (each must be satisfied, as Entra
    /// grants only when every applying policy is), strongest first, without repeats.
    public static func required(_ requirements: [StrengthRequirement], for subject: PolicySubject, application: String?) -> [AuthenticationStrength] {
        let wanted = Set(requirements.filter { $0.applies(to: subject, application: application) }.map(\.strength))
        return AuthenticationStrength.allCases.reversed().filter(wanted.contains)
    }

    /// The first required strength a sign-in with these methods does not satisfy, `nil` when it
    /// satisfies them all (fail closed: unknown methods satisfy none).
    public static func unmet(_ required: [AuthenticationStrength], amr: [String]) -> AuthenticationStrength? {
        required.first { !$0.isSatisfied(by: amr) }
    }
}
