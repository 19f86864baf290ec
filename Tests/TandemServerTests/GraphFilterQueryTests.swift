import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import Testing

/// Issue 15: clients that encode spaces as `+` (curl --data-urlencode -G, Python's urlencode,
/// HTML forms) get the same `$filter` result as those that send `%20`; `%2B` stays a plus.
@Suite("Graph $filter query decoding")
struct GraphFilterQueryTests {
    @Test("$filter with + for spaces, %20 for spaces, and %2B for a plus all select the right sign-ins; nextLink keeps the filter")
    func plusIsSpace() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            let base = Date(timeIntervalSince1970: 1_790_000_000)
            for (i, upn) in ["alice@contoso.com", "bob@contoso.com", "alice@contoso.com", "a+b@contoso.com"].enumerated() {
                try await store.insertSignIn(SignInRecord(id: "s\(i)", createdAt: base.addingTimeInterval(Double(i)), updatedAt: base,
                                                          userID: nil, userPrincipalName: upn, appDisplayName: "Tandem", ipAddress: "192.0.2.1",
                                                          location: "", clientApp: "Browser", errorCode: 0, failureReason: nil,
                                                          additionalDetails: nil, policyReason: nil, steps: []))
            }
            func ids(_ query: String) async throws -> [String] {
                let page = try await graph.json(.get, "/v1.0/auditLogs/signIns?\(query)", token: token)
                return try #require(page["value"] as? [[String: Any]]).compactMap { $0["id"] as? String }
            }
            let r1 = try await ids("$filter=userPrincipalName+eq+'alice@contoso.com'")
            #expect(r1 == ["s2", "s0"])
            let r2 = try await ids("$filter=userPrincipalName%20eq%20'alice@contoso.com'")
            #expect(r2 == ["s2", "s0"])
            let r3 = try await ids("%24filter=userPrincipalName+eq+%27bob%40contoso.com%27")
            #expect(r3 == ["s1"])
            let r4 = try await ids("$filter=userPrincipalName+eq+'a%2Bb@contoso.com'")
            #expect(r4 == ["s3"])
            let r5 = try await ids("$filter=userPrincipalName+eq+'alice@contoso.com'+and+createdDateTime+ge+2026-09-21T14:13:22Z")
            #expect(r5 == ["s2"])
            let bad = try await graph.call(.get, "/v1.0/auditLogs/signIns?$filter=userPrincipalName+eq", token: token)
            #expect(bad.status == .badRequest)

            let first = try await graph.json(.get, "/v1.0/auditLogs/signIns?$top=1&$filter=userPrincipalName+eq+'alice@contoso.com'", token: token)
            let next = try #require(first["@odata.nextLink"] as? String)
            let path = String(next[try #require(next.range(of: "/v1.0/")).lowerBound...])
            let second = try await graph.json(.get, path, token: token)
            #expect(try #require(second["value"] as? [[String: Any]]).compactMap { $0["id"] as? String } == ["s0"])
        }
    }
}
