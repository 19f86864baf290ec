import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// Issue 15: every store area purges what expired before the cut-off and keeps what is live, on
/// every backend (the storage conformance suite's `Backend`s).
@Suite("Storage conformance: housekeeping")
struct HousekeepingStoreTests {
    static let t0 = Fixtures.t0
    static let cut = Fixtures.t0.addingTimeInterval(1000)

    @Test("Expired challenges (with their delivery trails), flows, activations, sessions, remembered browsers and OIDC records go; live ones stay",
          arguments: Backend.allCases)
    func expiredRowsGo(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            // "old" expired 1 s before the cut-off, "live" expires exactly at it (not before) or later.
            let old = Self.cut.addingTimeInterval(-1), edge = Self.cut, live = Self.cut.addingTimeInterval(3600)
            for (id, expiry) in [("c-old", old), ("c-edge", edge), ("c-live", live)] {
                var challenge = Fixtures.challenge(userID: user.id, id: id)
                challenge.expiresAt = expiry
                try await s.insertChallenge(challenge)
                try await s.appendTrail(challengeID: id, TrailEvent(event: "sent", at: Self.t0, channel: "websocket"))
            }
            for (id, expiry) in [("f-old", old), ("f-live", live)] {
                try await s.insertFlow(SignInFlow(id: id, username: "alice", userID: user.id, createdAt: Self.t0, expiresAt: expiry))
            }
            for (id, expiry) in [("a-old", old), ("a-live", live)] {
                try await s.insertActivation(Activation(id: id, userID: user.id, codeDigest: "d-\(id)", createdAt: Self.t0, expiresAt: expiry))
            }
            for (id, expiry) in [("s-old", old), ("s-live", live)] {
                try await s.insertSession(Session(id: id, userID: user.id, methods: ["pwd"], createdAt: Self.t0, expiresAt: expiry))
            }
            try await s.insertRememberedBrowser(id: "rb-old", userID: user.id, expiresAt: old)
            try await s.insertRememberedBrowser(id: "rb-live", userID: user.id, expiresAt: live)
            for (id, expiry) in [("o-old", old), ("o-live", live)] {
                try await s.insertAuthorizationCode(OIDCAuthorizationCode(id: id, grantID: "g", clientID: "x", redirectURI: "https://a/cb",
                                                                          codeChallenge: nil, nonce: nil, createdAt: Self.t0, expiresAt: expiry))
                try await s.insertRefreshToken(OIDCRefreshToken(id: "r-\(id)", grantID: "g", clientID: "x", createdAt: Self.t0, expiresAt: expiry))
                try await s.insertAccessToken(OIDCAccessTokenRecord(id: "t-\(id)", grantID: "g", clientID: "x", createdAt: Self.t0, expiresAt: expiry))
            }

            #expect(try await s.purgeChallenges(before: Self.cut) == 1)
            #expect(try await s.purgeFlows(before: Self.cut) == 1)
            #expect(try await s.purgeActivations(before: Self.cut) == 1)
            #expect(try await s.purgeSessions(before: Self.cut) == 2)
            #expect(try await s.purgeOIDC(before: Self.cut) == 3)

            #expect(try await s.challenge(id: "c-old") == nil)
            #expect(try await s.trail(challengeID: "c-old").isEmpty)
            #expect(try await s.challenge(id: "c-edge") != nil)
            #expect(try await s.challenge(id: "c-live") != nil)
            #expect(try await s.trail(challengeID: "c-live").map(\.event) == ["sent"])
            #expect(try await s.flow(id: "f-old") == nil)
            #expect(try await s.flow(id: "f-live") != nil)
            #expect(try await s.activation(id: "a-old") == nil)
            #expect(try await s.activation(id: "a-live") != nil)
            #expect(try await s.session(id: "s-old") == nil)
            #expect(try await s.session(id: "s-live") != nil)
            #expect(try await s.rememberedBrowser(id: "rb-live", now: Self.t0) == user.id)
            #expect(try await s.authorizationCode(id: "o-old") == nil)
            #expect(try await s.authorizationCode(id: "o-live") != nil)
            #expect(try await s.refreshToken(id: "r-o-old") == nil)
            #expect(try await s.refreshToken(id: "r-o-live") != nil)

            // A second pass finds nothing more: purging is idempotent.
            #expect(try await s.purgeChallenges(before: Self.cut) == 0)
            #expect(try await s.purgeSessions(before: Self.cut) == 0)
            #expect(try await s.purgeOIDC(before: Self.cut) == 0)
        }
    }

    @Test("Sign-in and audit log rows older than the retention go, newer ones stay; the store reports itself migrated", arguments: Backend.allCases)
    func logsAreKeptForTheRetention(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            for (i, at) in [Self.cut.addingTimeInterval(-86_400), Self.cut.addingTimeInterval(-0.001), Self.cut, Self.cut.addingTimeInterval(60)].enumerated() {
                try await s.insertSignIn(SignInRecord(id: "si\(i)", createdAt: at, updatedAt: at, userID: nil, userPrincipalName: "a@b.c",
                                                      appDisplayName: "Tandem", ipAddress: "192.0.2.1", location: "", clientApp: "Browser",
                                                      errorCode: 0, failureReason: nil, additionalDetails: nil, policyReason: nil, steps: []))
                try await s.insertAudit(AuditEntry(id: "au\(i)", activityAt: at, category: "UserManagement", activity: "Add user",
                                                   operationType: "Add", initiatedByID: nil, initiatedByName: nil, targetType: "User",
                                                   targetID: "u", targetName: nil))
            }
            #expect(try await s.purgeSignIns(before: Self.cut) == 2)
            #expect(try await s.purgeAudits(before: Self.cut) == 2)
            #expect(try await s.signIns(limit: 10, before: nil).map(\.id) == ["si3", "si2"])
            #expect(try await s.audits(limit: 10, before: nil).map(\.id) == ["au3", "au2"])
            #expect(try await s.isMigrated())
        }
    }

    @Test("A backlog larger than one batch goes completely, dependent trails with it, and live rows stay", arguments: Backend.allCases)
    func backlogInBatches(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            for i in 0..<1_234 {
                let at = Self.cut.addingTimeInterval(i < 1_200 ? -Double(i + 1) : Double(i))
                try await s.insertSignIn(SignInRecord(id: "si\(i)", createdAt: at, updatedAt: at, userID: nil, userPrincipalName: "a@b.c",
                                                      appDisplayName: "Tandem", ipAddress: "192.0.2.1", location: "", clientApp: "Browser",
                                                      errorCode: 0, failureReason: nil, additionalDetails: nil, policyReason: nil, steps: []))
            }
            for i in 0..<1_010 {
                var challenge = Fixtures.challenge(userID: user.id, id: "c\(i)")
                challenge.expiresAt = Self.cut.addingTimeInterval(i < 1_005 ? -1 : 1)
                try await s.insertChallenge(challenge)
                try await s.appendTrail(challengeID: challenge.id, TrailEvent(event: "sent", at: Self.t0))
            }
            #expect(try await s.purgeSignIns(before: Self.cut) == 1_200)
            #expect(try await s.signIns(limit: 100, before: nil).count == 34)
            #expect(try await s.purgeChallenges(before: Self.cut) == 1_005)
            #expect(try await s.trail(challengeID: "c0").isEmpty)
            #expect(try await s.trail(challengeID: "c1004").isEmpty)
            #expect(try await s.trail(challengeID: "c1005").count == 1)
            #expect(try await s.challenge(id: "c1009") != nil)
        }
    }
}
