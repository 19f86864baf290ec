import Foundation
import TandemCore
import Testing

/// The registration campaign's pure decision (decision 0034): who is asked, for what, when a
/// snooze ends and when "Not now" is no longer offered.
@Suite("Registration campaign")
struct RegistrationCampaignTests {
    static let alice = PolicySubject(userID: "alice", groupIDs: ["sales"])
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)
    static let day: TimeInterval = 86_400

    static func campaign(_ state: AuthenticatorPolicy.FeatureState = .enabled, days: Int = 1, enforce: Bool = true,
                         include: [RegistrationCampaign.IncludeTarget] = [.init(targetType: .group, id: AuthenticatorPolicy.allUsers)],
                         exclude: [AuthenticatorPolicy.ExcludeTarget] = []) -> RegistrationCampaign {
        RegistrationCampaign(state: state, snoozeDurationInDays: days, enforceRegistrationAfterAllowedSnoozes: enforce,
                             includeTargets: include, excludeTargets: exclude)
    }

    static func nudge(_ c: RegistrationCampaign, registered: Set<RegistrationCampaign.Method> = [],
                      registrable: Set<RegistrationCampaign.Method> = [.microsoftAuthenticator, .fido2],
                      snoozes: RegistrationCampaign.Snoozes? = nil, startedAt: Date = t0, now: Date = t0) -> RegistrationCampaign.Nudge? {
        c.nudge(for: alice, registered: registered, registrable: registrable, snoozes: snoozes, signInStartedAt: startedAt, now: now)
    }

    @Test("Default and disabled ask nobody; enabled asks the targeted users for the targeted method")
    func states() {
        #expect(Self.nudge(RegistrationCampaign()) == nil, "the stored default is read as off")
        #expect(Self.nudge(Self.campaign(.disabled)) == nil)
        #expect(Self.nudge(Self.campaign()) == .init(method: .microsoftAuthenticator, maySnooze: true))
        let passkeys = Self.campaign(include: [.init(targetType: .group, id: "sales", targetedAuthenticationMethod: .fido2)])
        #expect(Self.nudge(passkeys) == .init(method: .fido2, maySnooze: true))
        #expect(Self.nudge(Self.campaign(include: [.init(targetType: .group, id: "finance")])) == nil, "not a target")
        #expect(Self.nudge(Self.campaign(include: [.init(targetType: .user, id: "alice")])) != nil)
        #expect(Self.nudge(Self.campaign(exclude: [.init(targetType: .group, id: "sales")])) == nil, "exclusions win")
    }

    @Test("Nobody is asked for a method they have, or one the policy does not let them add")
    func registeredOrUnavailable() {
        #expect(Self.nudge(Self.campaign(), registered: [.microsoftAuthenticator]) == nil)
        #expect(Self.nudge(Self.campaign(), registered: [.fido2]) != nil, "a passkey is not the Authenticator")
        #expect(Self.nudge(Self.campaign(), registrable: [.fido2]) == nil)
    }

    @Test("A snooze lasts snoozeDurationInDays; 0 days asks again at the next sign-in, never twice in one")
    func snoozeDuration() {
        let snoozed = RegistrationCampaign.Snoozes(count: 1, lastAt: Self.t0)
        let c = Self.campaign(days: 2)
        #expect(Self.nudge(c, snoozes: snoozed, startedAt: Self.t0 + Self.day, now: Self.t0 + Self.day) == nil)
        #expect(Self.nudge(c, snoozes: snoozed, startedAt: Self.t0 + 2 * Self.day, now: Self.t0 + 2 * Self.day) != nil)
        let zero = Self.campaign(days: 0)
        #expect(Self.nudge(zero, snoozes: snoozed, startedAt: Self.t0 - 10, now: Self.t0 + 1) == nil, "snoozed during this sign-in")
        #expect(Self.nudge(zero, snoozes: snoozed, startedAt: Self.t0 + 60, now: Self.t0 + 61) != nil, "the next sign-in")
    }

    @Test("Enforced: three snoozes, then no 'Not now'; not enforced: snoozes without end", arguments: [0, 1, 2, 3, 7])
    func enforcement(count: Int) {
        let snoozes = count == 0 ? nil : RegistrationCampaign.Snoozes(count: count, lastAt: Self.t0 - 30 * Self.day)
        let enforced = Self.nudge(Self.campaign(), snoozes: snoozes)
        #expect(enforced?.maySnooze == (count < RegistrationCampaign.allowedSnoozes))
        #expect(Self.nudge(Self.campaign(enforce: false), snoozes: snoozes)?.maySnooze == true)
        #expect(Self.campaign().snoozeLimit == 3 && Self.campaign(enforce: false).snoozeLimit == nil)
    }
}
