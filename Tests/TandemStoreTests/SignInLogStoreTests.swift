import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The sign-in log's application (decision 0032): the OIDC client id (migration 190's `app_id`)
/// round-trips on every backend; Tandem's own sign-ins keep none.
@Suite("Sign-in log storage: the application")
struct SignInLogStoreTests {
    static func record(_ id: String, appID: String?, at: Date) -> SignInRecord {
        SignInRecord(id: id, createdAt: at, updatedAt: at, userID: nil, userPrincipalName: "alice@contoso.com",
                     appDisplayName: appID == nil ? "Tandem" : "Payroll", appID: appID, ipAddress: "192.0.2.7",
                     location: "Unknown location", clientApp: "Browser", errorCode: 50074, failureReason: nil,
                     additionalDetails: nil, policyReason: nil, steps: [])
    }

    @Test("A sign-in's client id is kept, read back, listed and survives an update; Tandem's own has none", arguments: Backend.allCases)
    func clientID(backend: Backend) async throws {
        try await OpenStore.with(backend) { store in
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            let clientID = "6f1c1c5e-3a5d-4a43-9d53-0d7c3b2b9a10"
            try await store.insertSignIn(Self.record("payroll", appID: clientID, at: at))
            try await store.insertSignIn(Self.record("own", appID: nil, at: at.addingTimeInterval(1)))
            #expect(try await store.signIn(id: "payroll")?.appID == clientID)
            #expect(try await store.signIn(id: "payroll")?.graphAppID == clientID)
            #expect(try await store.signIn(id: "own")?.appID == nil)
            #expect(try await store.signIn(id: "own")?.graphAppID == SignInRecord.tandemAppID)
            let finished = try await store.amendSignIn(SignInAmendment(id: "payroll", at: at.addingTimeInterval(5), steps: [],
                                                                      outcome: .init(code: 0, reason: nil, details: nil)))
            #expect(finished?.appID == clientID)
            let listed = try await store.signIns(limit: 10, before: nil)
            #expect(listed.map(\.id) == ["own", "payroll"])
            #expect(listed.map(\.appID) == [nil, clientID])
            #expect(listed.last?.errorCode == 0)
        }
    }

    @Test("An amendment appends steps to the stored ones and sets only what it carries, in one write", arguments: Backend.allCases)
    func amendment(backend: Backend) async throws {
        try await OpenStore.with(backend) { store in
            let at = Date(timeIntervalSince1970: 1_800_000_000)
            try await store.insertSignIn(Self.record("s", appID: nil, at: at))
            // A detail with the characters that would break a spliced JSON array.
            let first = SignInStep(at: at.addingTimeInterval(1), method: "Password", succeeded: true, detail: "ok, \"quoted\" ] [ \u{e9}")
            let second = SignInStep(at: at.addingTimeInterval(2), method: "Mobile app notification", succeeded: false,
                                    detail: "MFA denied", requestID: "r1")
            let third = SignInStep(at: at.addingTimeInterval(3), method: "Verification code", succeeded: true, detail: "done")
            let one = try await store.amendSignIn(SignInAmendment(id: "s", at: at.addingTimeInterval(1), steps: [first], policyReason: "policy"))
            #expect(one?.steps == [first])
            #expect(one?.errorCode == 50074)  // no outcome: kept
            #expect(one?.policyReason == "policy")
            let two = try await store.amendSignIn(SignInAmendment(id: "s", at: at.addingTimeInterval(3), steps: [second, third],
                                                                 outcome: .init(code: 500121, reason: "denied", details: "d")))
            #expect(two?.steps == [first, second, third])
            #expect(two?.policyReason == "policy")  // nil: kept
            #expect(two?.errorCode == 500121 && two?.failureReason == "denied" && two?.additionalDetails == "d")
            let three = try await store.amendSignIn(SignInAmendment(id: "s", at: at.addingTimeInterval(4), steps: [],
                                                                   outcome: .init(code: 0, reason: nil, details: nil)))
            #expect(three?.steps == [first, second, third])
            #expect(three?.errorCode == 0 && three?.failureReason == nil && three?.additionalDetails == nil)
            #expect(try await store.signIn(id: "s") == three)
            #expect(three?.updatedAt == at.addingTimeInterval(4))
            #expect(try await store.amendSignIn(SignInAmendment(id: "missing", at: at, steps: [first])) == nil)
        }
    }
}
