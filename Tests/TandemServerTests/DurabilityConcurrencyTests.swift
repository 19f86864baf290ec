import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// Issue 17, item 1: concurrent PATCHes of the authentication-methods policy use optimistic
/// concurrency (ETag, `If-Match`, 412) instead of last-writer-wins; over real HTTP connections.
@Suite("Durability: optimistic concurrency on the policy")
struct DurabilityConcurrencyTests {
    static let path = DurabilityTransactionTests.path

    static func patch(_ graph: GraphClient, token: String, body: String, ifMatch: String?) async throws -> TestResponse {
        try await patch(graph, path, token: token, body, ifMatch: ifMatch)
    }

    static func etag(_ graph: GraphClient, token: String) async throws -> String {
        let read = try await graph.call(.get, path, token: token)
        #expect(read.status == .ok)
        return try #require(read.headers[.eTag])
    }

    @Test("GET gives an ETag; a PATCH with a stale If-Match is 412 with a Graph error and changes nothing")
    func staleIfMatch() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let first = try await Self.etag(graph, token: token)
            let changed = try await Self.patch(graph, token: token, body: #"{"tandemNumberDigits": 3}"#, ifMatch: first)
            #expect(changed.status == .noContent)
            let second = try #require(changed.headers[.eTag])
            #expect(second != first)
            #expect(try await Self.etag(graph, token: token) == second, "the PATCH answers the tag GET then gives")

            let stale = try await Self.patch(graph, token: token, body: #"{"tandemNumberDigits": 4}"#, ifMatch: first)
            #expect(stale.status == .preconditionFailed)
            let error = try #require(try JSONSerialization.jsonObject(with: Data(buffer: stale.body)) as? [String: Any])["error"] as? [String: Any]
            #expect(error?["code"] as? String == "Request_PreconditionFailed")
            #expect((error?["message"] as? String)?.contains("If-Match") == true)
            #expect(try await graph.json(.get, Self.path, token: token)["tandemNumberDigits"] as? Int == 3)
            #expect(try await Self.patch(graph, token: token, body: #"{"tandemNumberDigits": 4}"#, ifMatch: "W/\(second)").status == .preconditionFailed,
                    "a weak tag never matches (strong comparison)")
            #expect(try await Self.patch(graph, token: token, body: #"{"tandemNumberDigits": 4}"#, ifMatch: "\"other\", \(second)").status == .noContent,
                    "one tag of a list matches")
            #expect(try await Self.patch(graph, token: token, body: #"{"tandemNumberDigits": 5}"#, ifMatch: "*").status == .noContent)
            #expect(try await Self.patch(graph, token: token, body: #"{"tandemNumberDigits": 6}"#, ifMatch: nil).status == .noContent)
            let audits = try await store.audits(limit: 50, before: nil).filter { $0.activity == "Update authentication methods policy" }
            #expect(audits.count == 4, "one audit entry per saved change, none for the refused ones")
            // An invalid change with a matching tag is still a 400, and still changes nothing.
            let current = try await Self.etag(graph, token: token)
            #expect(try await Self.patch(graph, token: token, body: #"{"tandemNumberDigits": 12}"#, ifMatch: current).status == .badRequest)
            #expect(try await Self.etag(graph, token: token) == current)
        }, mode: .live)
    }

    @Test("Of many concurrent PATCHes sent with the same If-Match exactly one wins; the others get 412")
    func concurrentIfMatch() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let tag = try await Self.etag(graph, token: token)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for n in 0..<8 {
                    group.addTask {
                        try await Self.patch(graph, token: token, body: "{\"tandemNumberDigits\": \(2 + n % 6)}", ifMatch: tag).status
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .noContent }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .preconditionFailed }.count == 7, "\(statuses)")
            #expect(try await store.audits(limit: 50, before: nil).filter { $0.activity == "Update authentication methods policy" }.count == 1)
        }, mode: .ahc(.http))
    }

    @Test("Concurrent PATCHes without If-Match that change different settings are all kept (no lost update)")
    func concurrentDifferentFields() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            for _ in 0..<3 {
                _ = try await Self.patch(graph, token: token, body: #"{"tandemNumberDigits": 2, "isSoftwareOathEnabled": false, "state": "disabled"}"#, ifMatch: nil)
                let bodies = [#"{"tandemNumberDigits": 4}"#, #"{"isSoftwareOathEnabled": true}"#, #"{"state": "enabled"}"#]
                let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                    for body in bodies { group.addTask { try await Self.patch(graph, token: token, body: body, ifMatch: nil).status } }
                    return try await group.reduce(into: []) { $0.append($1) }
                }
                #expect(statuses == [.noContent, .noContent, .noContent])
                let read = try await graph.json(.get, Self.path, token: token)
                #expect(read["tandemNumberDigits"] as? Int == 4)
                #expect(read["isSoftwareOathEnabled"] as? Bool == true)
                #expect(read["state"] as? String == "enabled")
            }
        }, mode: .ahc(.http))
    }

    @Test("The MFA service settings too: an ETag, a stale If-Match is 412 and changes nothing, concurrent PATCHes of different settings are all kept")
    func legacySettings() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let path = "/v1.0/policies/mfaServiceSettings"
            func patch(_ body: String, ifMatch: String?) async throws -> TestResponse {
                try await Self.patch(graph, path, token: token, body, ifMatch: ifMatch)
            }
            let first = try #require(try await graph.call(.get, path, token: token).headers[.eTag])
            let changed = try await patch(#"{"rememberMultiFactorDays": 7}"#, ifMatch: first)
            #expect(changed.status == .noContent)
            let second = try #require(changed.headers[.eTag])
            let reread = try await graph.call(.get, path, token: token).headers[.eTag]
            #expect(second != first && reread == second)
            let stale = try await patch(#"{"rememberMultiFactorDays": 30}"#, ifMatch: first)
            #expect(stale.status == .preconditionFailed && stale.graphError?.code == "Request_PreconditionFailed")
            #expect(try await graph.json(.get, path, token: token)["rememberMultiFactorDays"] as? Int == 7)
            #expect(try await patch(#"{"rememberMultiFactorDays": 400}"#, ifMatch: second).status == .badRequest)
            let bodies = [#"{"rememberMultiFactorDays": 14}"#, #"{"trustedIPRanges": ["10.0.0.0/8"]}"#, #"{"verificationCodeFromMobileApp": false}"#]
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for body in bodies { group.addTask { try await patch(body, ifMatch: nil).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == [.noContent, .noContent, .noContent])
            let read = try await graph.json(.get, path, token: token)
            #expect(read["rememberMultiFactorDays"] as? Int == 14 && read["trustedIPRanges"] as? [String] == ["10.0.0.0/8"])
            #expect(read["verificationCodeFromMobileApp"] as? Bool == false)
            #expect(try await store.audits(limit: 50, before: nil).filter { $0.activity == "Update MFA service settings" }.count == 4)
        }, mode: .ahc(.http))
    }
    /// PATCH through `path` with an optional `If-Match`.
    static func patch(_ graph: GraphClient, _ path: String, token: String, _ body: String, ifMatch: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json", .authorization: "Bearer \(token)"]
        if let ifMatch { headers[.ifMatch] = ifMatch }
        return try await graph.client.execute(uri: path, method: .patch, headers: headers, body: ByteBuffer(string: body))
    }

    @Test("The push protection settings: ETag, a stale If-Match is 412 and changes nothing, concurrent PATCHes of different fields all land")
    func pushProtection() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let path = "/v1.0/policies/tandemPushProtection"
            let first = try #require(try await graph.call(.get, path, token: token).headers[.eTag])
            let changed = try await Self.patch(graph, path, token: token, #"{"maxPendingPerUser": 4}"#, ifMatch: first)
            #expect(changed.status == .noContent)
            let second = try #require(changed.headers[.eTag])
            let reread = try await graph.call(.get, path, token: token).headers[.eTag]
            #expect(second != first && reread == second)
            let stale = try await Self.patch(graph, path, token: token, #"{"maxPendingPerUser": 9}"#, ifMatch: first)
            #expect(stale.status == .preconditionFailed && stale.graphError?.code == "Request_PreconditionFailed")
            #expect(try await graph.json(.get, path, token: token)["maxPendingPerUser"] as? Int == 4)
            #expect(try await Self.patch(graph, path, token: token, #"{"maxPendingPerUser": 4}"#, ifMatch: #"W/\#(second)"#).status == .preconditionFailed,
                    "a weak tag never matches")
            let bodies = [#"{"freePushes": 7}"#, #"{"failureLockThreshold": 12}"#, #"{"suppressUnfamiliarLocations": false}"#, #"{"maxDelaySeconds": 900}"#]
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for body in bodies { group.addTask { try await Self.patch(graph, path, token: token, body, ifMatch: nil).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == [.noContent, .noContent, .noContent, .noContent])
            let read = try await graph.json(.get, path, token: token)
            #expect(read["freePushes"] as? Int == 7 && read["failureLockThreshold"] as? Int == 12)
            #expect(read["suppressUnfamiliarLocations"] as? Bool == false && read["maxDelaySeconds"] as? Int == 900 && read["maxPendingPerUser"] as? Int == 4)
            #expect(try await store.audits(limit: 50, before: nil).filter { $0.activity == "Update push protection settings" }.count == 5)
        }, mode: .ahc(.http))
    }

    @Test("The authentication methods policy (report settings, system-preferred MFA, campaign): ETag over all of it, 412 on a stale If-Match, concurrent PATCHes of different parts and fields all land, and a PATCH is all or nothing")
    func methodsPolicy() async throws {
        try await TestServer.run({ store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let path = "/v1.0/policies/authenticationMethodsPolicy"
            func read() async throws -> [String: Any] { try await graph.json(.get, path, token: token) }
            func report(_ policy: [String: Any]) -> [String: Any] { policy["reportSuspiciousActivitySettings"] as? [String: Any] ?? [:] }
            let first = try #require(try await graph.call(.get, path, token: token).headers[.eTag])
            let changed = try await Self.patch(graph, path, token: token, #"{"reportSuspiciousActivitySettings": {"tandemBlockMinutes": 30}}"#, ifMatch: first)
            #expect(changed.status == .noContent)
            let second = try #require(changed.headers[.eTag])
            let reread = try await graph.call(.get, path, token: token).headers[.eTag]
            #expect(second != first && reread == second)
            let stale = try await Self.patch(graph, path, token: token, #"{"reportSuspiciousActivitySettings": {"tandemBlockMinutes": 5}}"#, ifMatch: first)
            #expect(stale.status == .preconditionFailed && stale.graphError?.code == "Request_PreconditionFailed")
            #expect(report(try await read())["tandemBlockMinutes"] as? Int == 30)

            // The Microsoft Authenticator configuration is part of the representation: its change changes the tag.
            let authenticator = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/microsoftAuthenticator"
            #expect(try await graph.call(.patch, authenticator, token: token, body: #"{"tandemNumberDigits": 3}"#).status == .noContent)
            let third = try #require(try await graph.call(.get, path, token: token).headers[.eTag])
            #expect(third != second)
            #expect(try await Self.patch(graph, path, token: token, #"{"reportSuspiciousActivitySettings": {"tandemBlockMinutes": 5}}"#,
                                         ifMatch: second).status == .preconditionFailed)

            // All or nothing: a valid report change beside an invalid campaign saves neither.
            let mixed = try await Self.patch(graph, path, token: token, #"""
                {"reportSuspiciousActivitySettings": {"tandemBlockMinutes": 45},
                 "registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {"snoozeDurationInDays": 99}}}
                """#, ifMatch: third)
            #expect(mixed.status == .badRequest)
            #expect(report(try await read())["tandemBlockMinutes"] as? Int == 30)
            #expect(try await graph.call(.get, path, token: token).headers[.eTag] == third)

            // Without If-Match, concurrent PATCHes of different parts and of different fields of one part all land.
            let bodies = [
                #"{"reportSuspiciousActivitySettings": {"tandemBlockMinutes": 60}}"#,
                #"{"reportSuspiciousActivitySettings": {"state": "enabled"}}"#,
                #"{"systemCredentialPreferences": {"state": "enabled"}}"#,
                #"{"registrationEnforcement": {"authenticationMethodsRegistrationCampaign": {"snoozeDurationInDays": 3}}}"#,
            ]
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for body in bodies { group.addTask { try await Self.patch(graph, path, token: token, body, ifMatch: nil).status } }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == [.noContent, .noContent, .noContent, .noContent])
            let policy = try await read()
            #expect(report(policy)["tandemBlockMinutes"] as? Int == 60 && report(policy)["state"] as? String == "enabled")
            #expect((policy["systemCredentialPreferences"] as? [String: Any])?["state"] as? String == "enabled")
            let campaign = ((policy["registrationEnforcement"] as? [String: Any])?["authenticationMethodsRegistrationCampaign"] as? [String: Any])
            #expect(campaign?["snoozeDurationInDays"] as? Int == 3)
        }, mode: .ahc(.http))
    }
}
