import Foundation
import TandemCore
import Testing

@Suite("Challenge state machine")
struct ChallengeStateMachineTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func challenge(in state: ChallengeState) -> Challenge {
        Challenge(id: "c1", userID: "u1", kind: .mfa, number: "42", nonce: "bm9uY2U",
                  context: ChallengeContext(application: "App", ipAddress: "127.0.0.1", location: "Unknown location", browser: "test"),
                  createdAt: start, expiresAt: start.addingTimeInterval(120), state: state)
    }

    enum Event: String, CaseIterable {
        case approveRight, approveWrong, approveWithoutNumber, deny, report, lateApprove, expireDue, expireEarly, withdraw, redeem
    }

    static func apply(_ event: Event, to c: inout Challenge) -> Challenge.Action {
        let now = start.addingTimeInterval(10)
        switch event {
        case .approveRight: return c.answer(.approve, typedNumber: "42", deviceID: "d1", now: now)
        case .approveWrong: return c.answer(.approve, typedNumber: "24", deviceID: "d1", now: now)
        case .approveWithoutNumber: return c.answer(.approve, typedNumber: nil, deviceID: "d1", now: now)
        case .deny: return c.answer(.deny, typedNumber: nil, deviceID: "d1", now: now)
        case .report: return c.answer(.report, typedNumber: nil, deviceID: "d1", now: now)
        case .lateApprove: return c.answer(.approve, typedNumber: "42", deviceID: "d1", now: start.addingTimeInterval(120))
        case .expireDue: return c.expireIfDue(now: start.addingTimeInterval(121))
        case .expireEarly: return c.expireIfDue(now: now)
        case .withdraw: return c.withdraw(reason: .superseded, now: now)
        case .redeem: return c.redeem(now: now)
        }
    }

    /// What each event does in `pending`: the only state answers can change.
    static let fromPending: [Event: (Challenge.Action, ChallengeState, ChallengeReason?)] = [
        .approveRight: (.approved, .approved, nil),
        .approveWrong: (.denied(.wrongNumber), .denied, .wrongNumber),
        .approveWithoutNumber: (.denied(.wrongNumber), .denied, .wrongNumber),
        .deny: (.denied(.userDenied), .denied, .userDenied),
        .report: (.reported, .reported, .reportedFraud),
        .lateApprove: (.reject(.expired), .expired, .timedOut),
        .expireDue: (.expired, .expired, .timedOut),
        .expireEarly: (.reject(.notPending), .pending, nil),
        .withdraw: (.withdrawn, .withdrawn, .superseded),
        .redeem: (.reject(.notApproved), .pending, nil),
    ]

    @Test("Every event in pending does what the protocol says", arguments: Event.allCases)
    func pendingEvents(event: Event) throws {
        var c = Self.challenge(in: .pending)
        let action = Self.apply(event, to: &c)
        let expected = try #require(Self.fromPending[event])
        #expect(action == expected.0)
        #expect(c.state == expected.1)
        #expect(c.reason == expected.2)
    }

    @Test("No event moves a challenge that has left pending, except redeeming an approval",
          arguments: ChallengeState.allCases.filter { $0 != .pending }, Event.allCases)
    func finishedStates(state: ChallengeState, event: Event) {
        var c = Self.challenge(in: state)
        let before = c
        let action = Self.apply(event, to: &c)
        if state == .approved && event == .redeem {
            #expect(action == .redeemed)
            #expect(c.state == .redeemed)
        } else {
            #expect(action == .reject(event == .redeem ? .notApproved : .notPending))
            #expect(c == before)
        }
    }

    @Test("An approval is redeemed exactly once")
    func redeemOnce() {
        var c = Self.challenge(in: .pending)
        #expect(c.answer(.approve, typedNumber: "42", deviceID: "d1", now: Self.start) == .approved)
        #expect(c.redeem(now: Self.start) == .redeemed)
        #expect(c.redeem(now: Self.start) == .reject(.notApproved))
    }

    @Test("A challenge is answered at most once: a second answer is refused")
    func answeredOnce() {
        var c = Self.challenge(in: .pending)
        #expect(c.answer(.deny, typedNumber: nil, deviceID: "d1", now: Self.start) == .denied(.userDenied))
        #expect(c.answer(.approve, typedNumber: "42", deviceID: "d2", now: Self.start) == .reject(.notPending))
        #expect(c.state == .denied)
        #expect(c.answeredBy == "d1")
    }

    @Test("Expiry is decided by the time passed in (the server clock), to the millisecond")
    func expiryBoundary() {
        var early = Self.challenge(in: .pending)
        #expect(early.answer(.approve, typedNumber: "42", deviceID: "d1", now: Self.start.addingTimeInterval(119.999)) == .approved)
        var late = Self.challenge(in: .pending)
        #expect(late.answer(.approve, typedNumber: "42", deviceID: "d1", now: Self.start.addingTimeInterval(120)) == .reject(.expired))
    }

    @Test("A wrong number never approves", arguments: ["41", "43", "042", "4", "", "99999999", "24"])
    func wrongNumbers(typed: String) {
        var c = Self.challenge(in: .pending)
        #expect(c.answer(.approve, typedNumber: typed, deviceID: "d1", now: Self.start) == .denied(.wrongNumber))
        #expect(c.state == .denied)
    }
}
