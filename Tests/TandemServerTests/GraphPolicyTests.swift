import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import Testing

@Suite("Graph admin API: authentication-methods policy")
struct GraphPolicyTests {
    static let path = "/v1.0/policies/authenticationMethodsPolicy/authenticationMethodConfigurations/microsoftAuthenticator"

    @Test("Microsoft's documented PATCH and GET bodies are accepted as they are and read back",
          arguments: ["patch-state-enabled.json", "get-v1-example.json", "context-all-users.json", "context-separate-groups.json",
                      "context-exclude-groups.json", "context-remove-excluded.json"])
    func documentedBodies(fixture: String) async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            for (id, name) in [("44561710-f0cb-4ac9-ab9c-e6c394370823", "App context"), ("a229e768-961a-4401-aadb-11d836885c11", "Location context"),
                               ("5af8a0da-5420-4d69-bf3c-8b129f3449ce", "No app context"), ("b6bab067-5f28-4dac-ab30-7169311d69e8", "No location"),
                               ("1ca44590-e896-4dbe-98ed-b140b1e7a53a", "Pilot"), ("XYZ-791F-4AB5-AD91-A05D2DCFF8CE", "Doc placeholder")] {
                try await graph.group(id: id, name: name)
            }
            let token = try await graph.token(for: "policy@contoso.com", role: .authenticationPolicyAdministrator)
            let body = try GraphClient.fixture(fixture)
            let patched = try await graph.call(.patch, Self.path, token: token, body: body)
            #expect(patched.status == .noContent, "\(String(buffer: patched.body))")
            let read = try await graph.json(.get, Self.path, token: token)
            let sent = try #require(try JSONSerialization.jsonObject(with: Data(body.replacingOccurrences(of: ",\n        }", with: "\n        }").utf8)) as? [String: Any])
            #expect(read["@odata.type"] as? String == "#microsoft.graph.microsoftAuthenticatorAuthenticationMethodConfiguration")
            #expect(read["id"] as? String == "MicrosoftAuthenticator")
            #expect(read["state"] as? String == sent["state"] as? String)
            let features = try #require(read["featureSettings"] as? [String: Any])
            if let sentFeatures = sent["featureSettings"] as? [String: Any] {
                for (key, value) in sentFeatures {
                    let name = key.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "Context", with: "Information")
                    let expected = try #require(value as? [String: Any])
                    let actual = try #require(features[name] as? [String: Any], "\(name) missing")
                    #expect(actual["state"] as? String == expected["state"] as? String)
                    let include = try #require(actual["includeTarget"] as? [String: Any])
                    #expect(include["id"] as? String == ((expected["includeTarget"] as? [String: Any])?["id"] as? String)?.trimmingCharacters(in: .whitespaces))
                    let exclude = try #require(actual["excludeTarget"] as? [String: Any])
                    #expect(exclude["id"] as? String == ((expected["excludeTarget"] as? [String: Any])?["id"] as? String)?.trimmingCharacters(in: .whitespaces))
                }
            }
            // What GET returns can be PATCHed back unchanged.
            let roundTrip = try JSONSerialization.data(withJSONObject: read)
            #expect(try await graph.call(.patch, Self.path, token: token, body: String(decoding: roundTrip, as: UTF8.self)).status == .noContent)
            #expect(NSDictionary(dictionary: try await graph.json(.get, Self.path, token: token)) == NSDictionary(dictionary: read))
        }
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let name: String
        let body: String
        let field: String
        var testDescription: String { name }
    }

    static let badBodies: [Bad] = [
        Bad(name: "invalid JSON", body: "{\"state\": ", field: "JSON"),
        Bad(name: "an array", body: "[]", field: "object"),
        Bad(name: "unknown state", body: #"{"state": "sometimes"}"#, field: "state"),
        Bad(name: "state of the wrong type", body: #"{"state": true}"#, field: "state"),
        Bad(name: "unknown property", body: #"{"stat": "enabled"}"#, field: "stat"),
        Bad(name: "unknown authentication mode", body: #"{"includeTargets": [{"targetType": "group", "id": "all_users", "authenticationMode": "sms"}]}"#, field: "includeTargets[0].authenticationMode"),
        Bad(name: "unknown target type", body: #"{"includeTargets": [{"targetType": "device", "id": "all_users"}]}"#, field: "includeTargets[0].targetType"),
        Bad(name: "missing target id", body: #"{"includeTargets": [{"targetType": "group"}]}"#, field: "includeTargets[0].id"),
        Bad(name: "a group that does not exist", body: #"{"includeTargets": [{"targetType": "group", "id": "11111111-2222-3333-4444-555555555555"}]}"#, field: "includeTargets[0].id"),
        Bad(name: "includeTargets not an array", body: #"{"includeTargets": {"id": "all_users"}}"#, field: "includeTargets"),
        Bad(name: "isSoftwareOathEnabled as a string", body: #"{"isSoftwareOathEnabled": "yes"}"#, field: "isSoftwareOathEnabled"),
        Bad(name: "unknown feature state", body: #"{"featureSettings": {"displayAppInformationRequiredState": {"state": "on"}}}"#, field: "featureSettings.displayAppInformationRequiredState.state"),
        Bad(name: "number matching disabled", body: #"{"featureSettings": {"numberMatchingRequiredState": {"state": "disabled"}}}"#, field: "numberMatchingRequiredState"),
        Bad(name: "wrong @odata.type", body: ##"{"@odata.type": "#microsoft.graph.fido2AuthenticationMethodConfiguration", "state": "enabled"}"##, field: "@odata.type"),
        Bad(name: "digits out of range", body: #"{"tandemNumberDigits": 9}"#, field: "tandemNumberDigits"),
        Bad(name: "excluding all users", body: #"{"excludeTargets": [{"targetType": "group", "id": "all_users"}]}"#, field: "excludeTargets[0].id"),
    ]

    @Test("Malformed PATCH bodies get a 400 that names the field, and change nothing", arguments: badBodies)
    func badBody(bad: Bad) async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "policy@contoso.com", role: .globalAdministrator)
            let before = try await graph.json(.get, Self.path, token: token)
            let response = try await graph.call(.patch, Self.path, token: token, body: bad.body)
            #expect(response.status == .badRequest)
            let error = try #require(response.graphError)
            #expect(error.code == "Request_BadRequest")
            #expect(error.message.contains(bad.field), "\(error.message)")
            #expect(NSDictionary(dictionary: try await graph.json(.get, Self.path, token: token)) == NSDictionary(dictionary: before))
        }
    }

    @Test("No token, a forged token, an expired token and a non-admin are refused with Graph's error body")
    func refusals() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let admin = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            let none = try await graph.call(.get, Self.path, token: nil)
            #expect(none.status == .unauthorized && none.graphError?.code == "InvalidAuthenticationToken")
            var forged = Array(admin)
            forged[forged.count - 5] = forged[forged.count - 5] == "A" ? "B" : "A"
            let bad = try await graph.call(.get, Self.path, token: String(forged))
            #expect(bad.status == .unauthorized && bad.graphError?.code == "InvalidAuthenticationToken")
            let otherKey = try await ES256Forgery.token(subject: "x")
            #expect(try await graph.call(.get, Self.path, token: otherKey).status == .unauthorized)
            let expired = try await graph.token(for: "admin@contoso.com", role: nil, lifetime: -10)
            let old = try await graph.call(.get, Self.path, token: expired)
            #expect(old.status == .unauthorized && old.graphError?.code == "InvalidAuthenticationToken")
            let user = try await graph.token(for: "alice@contoso.com", role: nil)
            let denied = try await graph.call(.patch, Self.path, token: user, body: #"{"state": "disabled"}"#)
            #expect(denied.status == .forbidden && denied.graphError?.code == "Authorization_RequestDenied")
            // An Authentication Administrator may manage methods but not the policy.
            let methods = try await graph.token(for: "helpdesk@contoso.com", role: .authenticationAdministrator)
            #expect(try await graph.call(.patch, Self.path, token: methods, body: #"{"state": "disabled"}"#).status == .forbidden)
            #expect(try await graph.json(.get, Self.path, token: admin)["state"] as? String == "enabled")
        }
    }

    @Test("Policy changes are audited with old and new value")
    func audited() async throws {
        try await TestServer.run { store, client in
            let graph = GraphClient(store, client)
            let token = try await graph.token(for: "admin@contoso.com", role: .globalAdministrator)
            #expect(try await graph.call(.patch, Self.path, token: token, body: #"{"state": "disabled"}"#).status == .noContent)
            let audits = try await graph.json(.get, "/v1.0/auditLogs/directoryAudits", token: token)
            let entry = try #require((audits["value"] as? [[String: Any]])?.first { $0["activityDisplayName"] as? String == "Update authentication methods policy" })
            let initiator = try #require((entry["initiatedBy"] as? [String: Any])?["user"] as? [String: Any])
            #expect(initiator["userPrincipalName"] as? String == "admin@contoso.com")
            let target = try #require((entry["targetResources"] as? [[String: Any]])?.first)
            let modified = try #require((target["modifiedProperties"] as? [[String: Any]])?.first)
            #expect((modified["oldValue"] as? String)?.contains("\"state\":\"enabled\"") == true)
            #expect((modified["newValue"] as? String)?.contains("\"state\":\"disabled\"") == true)
        }
    }
}

/// A token signed by a key Tandem never saw.
enum ES256Forgery {
    static func token(subject: String) async throws -> String {
        let header = Base64URL.encode(Array(#"{"alg":"ES256","typ":"JWT","kid":"x"}"#.utf8))
        let payload = Base64URL.encode(Array(#"{"iss":"tandem","sub":"\#(subject)","aud":["tandem-admin"],"exp":4102444800,"iat":1,"jti":"j"}"#.utf8))
        let signature = try DeviceSignature.sign(Array("\(header).\(payload)".utf8), with: .init())
        return "\(header).\(payload).\(signature)"
    }
}
