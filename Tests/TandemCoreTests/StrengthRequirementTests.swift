import Foundation
import TandemCore
import Testing

/// Decision 0025: which required strengths apply to a sign-in (users and groups with exclusions,
/// applications, state), and that an unmet one is found, fail closed.
@Suite struct StrengthRequirementTests {
    static let alice = PolicySubject(userID: "alice", groupIDs: ["finance", "staff"])
    static let bob = PolicySubject(userID: "bob", groupIDs: ["staff"])

    static func rule(_ strength: AuthenticationStrength = .phishingResistantMFA, users: [String] = [], groups: [String] = [],
                     excludeUsers: [String] = [], excludeGroups: [String] = [], apps: [String] = ["All"],
                     state: StrengthRequirement.State = .enabled) -> StrengthRequirement {
        StrengthRequirement(id: "r", displayName: "r", state: state, includeUsers: users, excludeUsers: excludeUsers, includeGroups: groups,
                            excludeGroups: excludeGroups, includeApplications: apps, strength: strength, createdAt: Date(timeIntervalSince1970: 0))
    }

    // rule, subject, application, applies
    @Test(arguments: [
        (rule(users: ["All"]), alice, nil, true),
        (rule(users: ["All"]), bob, "payroll", true),
        (rule(users: ["All"], state: .disabled), alice, nil, false),
        (rule(users: ["alice"]), bob, nil, false),
        (rule(users: ["alice"]), alice, nil, true),
        (rule(groups: ["finance"]), alice, "payroll", true),
        (rule(groups: ["finance"]), bob, "payroll", false),
        (rule(users: ["All"], excludeGroups: ["finance"]), alice, nil, false),
        (rule(users: ["All"], excludeUsers: ["bob"]), bob, nil, false),
        (rule(groups: ["staff"], excludeUsers: ["bob"]), alice, nil, true),
        (rule(users: ["All"], apps: ["payroll"]), alice, "payroll", true),
        (rule(users: ["All"], apps: ["payroll"]), alice, "wiki", false),
        (rule(users: ["All"], apps: ["payroll"]), alice, nil, false),
        (rule(users: [], groups: []), alice, nil, false),
    ] as [(StrengthRequirement, PolicySubject, String?, Bool)])
    func appliesToWhomAndWhere(_ rule: StrengthRequirement, _ subject: PolicySubject, _ application: String?, _ applies: Bool) {
        #expect(rule.applies(to: subject, application: application) == applies)
    }

    @Test func everyApplyingStrengthMustBeMetStrongestFirst() {
        let rules = [Self.rule(.mfa, users: ["All"]), Self.rule(.phishingResistantMFA, groups: ["finance"], apps: ["payroll"]),
                     Self.rule(.passwordlessMFA, users: ["bob"])]
        #expect(StrengthRequirement.required(rules, for: Self.alice, application: "payroll") == [.phishingResistantMFA, .mfa])
        #expect(StrengthRequirement.required(rules, for: Self.alice, application: "wiki") == [.mfa])
        #expect(StrengthRequirement.required(rules, for: Self.bob, application: nil) == [.passwordlessMFA, .mfa])
        let required: [AuthenticationStrength] = [.phishingResistantMFA, .mfa]
        #expect(StrengthRequirement.unmet(required, amr: ["mfa", "pwd", "swk"]) == .phishingResistantMFA)
        #expect(StrengthRequirement.unmet(required, amr: ["mfa", "pin", "swk"]) == .phishingResistantMFA)
        #expect(StrengthRequirement.unmet(required, amr: ["mfa", "swk", "user"]) == nil)
        #expect(StrengthRequirement.unmet(required, amr: []) == .phishingResistantMFA)
        #expect(StrengthRequirement.unmet([], amr: ["pwd"]) == nil)
    }
}
