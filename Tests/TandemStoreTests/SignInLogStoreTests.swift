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
            var finished = try #require(try await store.signIn(id: "payroll"))
            finished.errorCode = 0
            finished.updatedAt = at.addingTimeInterval(5)
            try await store.updateSignIn(finished)
            let listed = try await store.signIns(limit: 10, before: nil)
            #expect(listed.map(\.id) == ["own", "payroll"])
            #expect(listed.map(\.appID) == [nil, clientID])
            #expect(listed.last?.errorCode == 0)
        }
    }
}
