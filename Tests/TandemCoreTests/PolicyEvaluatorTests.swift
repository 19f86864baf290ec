import TandemCore
import Testing

@Suite("Policy evaluator")
struct PolicyEvaluatorTests {
    typealias P = AuthenticatorPolicy
    static let alice = PolicySubject(userID: "alice", groupIDs: ["sales", "pilot"])

    static func policy(_ include: [P.IncludeTarget], exclude: [P.ExcludeTarget] = [], state: P.State = .enabled) -> P {
        P(state: state, includeTargets: include, excludeTargets: exclude)
    }

    @Test("Disabled means nothing, whatever the targets")
    func disabled() {
        let v = PolicyEvaluator.evaluate(Self.policy([.init(targetType: .group, id: P.allUsers, authenticationMode: .any)], state: .disabled), for: Self.alice)
        #expect(!v.pushAllowed && !v.passwordlessAllowed)
        #expect(v.reason.contains("disabled"))
    }

    @Test("Each mode grants what it says", arguments: [
        (P.Mode.any, true, true), (P.Mode.push, true, false), (P.Mode.deviceBasedPush, false, true),
    ])
    func modes(mode: P.Mode, push: Bool, passwordless: Bool) {
        let v = PolicyEvaluator.evaluate(Self.policy([.init(targetType: .group, id: P.allUsers, authenticationMode: mode)]), for: Self.alice)
        #expect(v.pushAllowed == push && v.passwordlessAllowed == passwordless)
        #expect(v.allows(.mfa) == push && v.allows(.passwordless) == passwordless && v.allows(.registration))
    }

    @Test("Targets match a user by id, a group the user is in, or all users", arguments: [
        (P.TargetType.user, "alice", true), (P.TargetType.user, "bob", false), (P.TargetType.group, "pilot", true),
        (P.TargetType.group, "finance", false), (P.TargetType.group, P.allUsers, true), (P.TargetType.user, P.allUsers, false),
    ])
    func targeting(type: P.TargetType, id: String, included: Bool) {
        let v = PolicyEvaluator.evaluate(Self.policy([.init(targetType: type, id: id, authenticationMode: .any)]), for: Self.alice)
        #expect(v.pushAllowed == included)
        if !included { #expect(v.reason.contains("not targeted")) }
    }

    @Test("Exclusion beats inclusion, by user or by group", arguments: [
        P.ExcludeTarget(targetType: .user, id: "alice"), P.ExcludeTarget(targetType: .group, id: "sales"),
    ])
    func exclusion(exclude: P.ExcludeTarget) {
        let v = PolicyEvaluator.evaluate(Self.policy([.init(targetType: .user, id: "alice", authenticationMode: .any),
                                                      .init(targetType: .group, id: P.allUsers, authenticationMode: .any)], exclude: [exclude]),
                                         for: Self.alice)
        #expect(!v.pushAllowed && !v.passwordlessAllowed)
        #expect(v.reason.contains("excluded"))
    }

    @Test("A user in several targets gets the union of their modes")
    func union() {
        let v = PolicyEvaluator.evaluate(Self.policy([.init(targetType: .group, id: "sales", authenticationMode: .push),
                                                      .init(targetType: .group, id: "pilot", authenticationMode: .deviceBasedPush)]), for: Self.alice)
        #expect(v.pushAllowed && v.passwordlessAllowed)
        #expect(v.reason.contains("mode any"))
        let narrow = PolicyEvaluator.evaluate(Self.policy([.init(targetType: .group, id: "sales", authenticationMode: .push),
                                                           .init(targetType: .group, id: "finance", authenticationMode: .deviceBasedPush)]), for: Self.alice)
        #expect(narrow.pushAllowed && !narrow.passwordlessAllowed)
    }

    @Test("Feature settings show the context to their include target minus their exclude target")
    func features() {
        var policy = Self.policy([.init(targetType: .group, id: P.allUsers, authenticationMode: .any)])
        #expect(PolicyEvaluator.evaluate(policy, for: Self.alice).showApplication, "default is Microsoft-managed: on")
        policy.featureSettings.displayAppInformationRequiredState = .init(state: .disabled)
        policy.featureSettings.displayLocationInformationRequiredState = .init(state: .enabled, includeTarget: .init(targetType: .group, id: "pilot"),
                                                                              excludeTarget: .init(targetType: .group, id: P.noOne))
        var v = PolicyEvaluator.evaluate(policy, for: Self.alice)
        #expect(!v.showApplication && v.showLocation)
        policy.featureSettings.displayLocationInformationRequiredState.excludeTarget = .init(targetType: .group, id: "sales")
        v = PolicyEvaluator.evaluate(policy, for: Self.alice)
        #expect(!v.showLocation)
        v = PolicyEvaluator.evaluate(policy, for: PolicySubject(userID: "carol", groupIDs: []))
        #expect(!v.showLocation)
    }

    @Test("Choose-from-three offers three different numbers, one of them right")
    func chooseFromThree() {
        let random = SeededNumbers()
        for _ in 0..<100 {
            let c = Challenge.make(userID: "u", kind: .mfa, context: .init(application: "", ipAddress: "", location: "", browser: ""),
                                   digits: 2, previousNumber: nil, lifetime: 60, now: .init(timeIntervalSince1970: 0), random: random,
                                   chooseFromThree: true)
            let choices = c.choices ?? []
            #expect(choices.count == 3 && Set(choices).count == 3 && choices.contains(c.number))
        }
    }
}

/// A tiny deterministic source (the test target does not need TandemTesting's).
final class SeededNumbers: RandomSource, @unchecked Sendable {
    var state: UInt64 = 0x1234
    func bytes(_ count: Int) -> [UInt8] {
        (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 33)
        }
    }
}

@Suite("CIDR")
struct CIDRTests {
    @Test("Ranges contain what they should", arguments: [
        ("192.0.2.0/24", "192.0.2.77", true), ("192.0.2.0/24", "192.0.3.1", false), ("10.0.0.0/8", "10.255.1.2", true),
        ("203.0.113.5", "203.0.113.5", true), ("203.0.113.5", "203.0.113.6", false), ("0.0.0.0/0", "8.8.8.8", true),
        ("2001:db8::/32", "2001:db8:1::5", true), ("2001:db8::/32", "2001:db9::1", false), ("::1", "::1", true),
        ("192.0.2.0/24", "2001:db8::1", false), ("::ffff:192.0.2.0/120", "::ffff:192.0.2.9", true),
    ])
    func contains(range: String, ip: String, inside: Bool) throws {
        #expect(try #require(CIDR(range)).contains(ip) == inside)
    }

    @Test("Malformed ranges are refused", arguments: ["", "192.0.2.0/33", "192.0.2/24", "300.1.1.1", "1.2.3.4/-1", "::1::2", "2001:db8::/129", "abc", "1.2.3.4/ 8"])
    func malformed(text: String) {
        #expect(CIDR(text) == nil)
    }
}
