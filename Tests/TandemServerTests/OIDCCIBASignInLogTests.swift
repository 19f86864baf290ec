import Foundation
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import Testing

/// Decision 0032: a CIBA sign-in is in the sign-in log as the client's, like a browser sign-in for
/// an OIDC application — Graph's `appId` is the client id and `appDisplayName` its name, never
/// `tandem` / Tandem; the push's outcome is its step, the redeemed grant its success.
@Suite("CIBA sign-ins in the sign-in log")
struct OIDCCIBASignInLogTests {
    /// Graph's sign-ins, newest first.
    static func signIns(_ h: OIDCHarness, filter: String? = nil) async throws -> [[String: Any]] {
        let graph = GraphClient(h.store, h.client, secretKey: h.secretKey)
        let token = try await graph.token(for: "reader@contoso.com", role: .globalAdministrator)
        let query = filter.map { "?$filter=" + OIDCHarness.encode($0) } ?? ""
        return try #require(try await graph.json(.get, "/v1.0/auditLogs/signIns" + query, token: token)["value"] as? [[String: Any]])
    }

    @Test("An approved CIBA request is logged with appId = the client id, the client's name, the push step and success")
    func approved() async throws {
        try await OIDCHarness.run(live: true) { h in
            let (user, phone) = try await OIDCCIBATests.userWithPhone(h)
            let (client, basic) = try await OIDCCIBATests.cibaClient(h)
            let ack = try OIDCHarness.json(try await h.post("/oauth2/bc-authorize", ["scope": "openid", "login_hint": user.userPrincipalName], basic: basic))
            let authReqID = try #require(ack["auth_req_id"] as? String)
            let offer = try await OIDCCIBATests.answer(h, user, phone, .approve, number: try #require(ack["tandem_number"] as? String))
            #expect(offer.context.applicationID == nil, "the client id is the log's, not the phone's")
            h.clock.advance(by: 6)
            #expect(try await OIDCCIBATests.poll(h, basic, authReqID).status == .ok)

            let rows = try await Self.signIns(h)
            let entry = try #require(rows.first { $0["userPrincipalName"] as? String == user.userPrincipalName })
            #expect(entry["appId"] as? String == client.clientID)
            #expect(entry["appDisplayName"] as? String == "Call centre")
            #expect((entry["status"] as? [String: Any])?["errorCode"] as? Int == 0)
            let id = try #require(entry["id"] as? String)
            let record = try #require(try await h.store.signIn(id: id))
            #expect(record.steps.contains { $0.method == SignInJournal.methodName(.mfa) && $0.succeeded && $0.requestID == offer.id })
            let filtered = try await Self.signIns(h, filter: "appId eq '\(client.clientID)'")
            #expect(filtered.compactMap { $0["id"] as? String } == [id])
        }
    }

    @Test("A denied CIBA request is logged for the client as a failed MFA with Entra's code")
    func denied() async throws {
        try await OIDCHarness.run(live: true) { h in
            let (user, phone) = try await OIDCCIBATests.userWithPhone(h)
            let (client, basic) = try await OIDCCIBATests.cibaClient(h)
            let ack = try OIDCHarness.json(try await h.post("/oauth2/bc-authorize", ["scope": "openid", "login_hint": user.userPrincipalName], basic: basic))
            let authReqID = try #require(ack["auth_req_id"] as? String)
            _ = try await OIDCCIBATests.answer(h, user, phone, .deny, number: nil)
            #expect(OIDCHarness.error(try await OIDCCIBATests.poll(h, basic, authReqID)) == "access_denied")
            let entry = try #require(try await Self.signIns(h).first { $0["userPrincipalName"] as? String == user.userPrincipalName })
            #expect(entry["appId"] as? String == client.clientID)
            #expect(entry["appDisplayName"] as? String == "Call centre")
            #expect((entry["status"] as? [String: Any])?["errorCode"] as? Int == 500121)
        }
    }
}
