import Foundation
import HTTPTypes
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// `acr_values` for the authentication strengths (decision 0025), the attacker's side, through the
/// real application over real HTTP on 127.0.0.1 and a real SQLite file: `phr` for a user without
/// a passkey is `unmet_authentication_requirements`, never a code; a weaker web session never
/// satisfies `phr` (step up, `login_required` under `prompt=none`); `phrh` needs a device-bound key.
@Suite struct OIDCStrengthTests {
    static func addDevice(_ h: OIDCHarness, _ user: User) async throws {
        let key = Base64URL.encode(Array(repeating: UInt8(4), count: 65))
        try await h.store.insertDevice(Device(id: UUID().uuidString, userID: user.id, name: "Phone", appVersion: "1", deviceKey: key,
                                              approvalKey: key, state: .active, createdAt: Date()))
    }

    static func addPasskey(_ h: OIDCHarness, _ user: User, synced: Bool) async throws {
        let stored = try await h.store.insertPasskey(Passkey(
            id: UUID().uuidString, userID: user.id, credentialID: Base64URL.encode(Array(UUID().uuidString.utf8)),
            publicKey: "pQECAyYgASFYIA", algorithm: -7, signCount: 0, aaguid: "00000000-0000-0000-0000-000000000000",
            backupEligible: synced, backedUp: synced, attestationFormat: "none", transports: ["internal"], name: "Laptop", createdAt: Date()))
        #expect(stored)
    }

    @Test func phrForAUserWithOnlyPushIsAnErrorAndAWeakerSessionNeverSatisfiesIt() async throws {
        try await OIDCHarness.run(live: true) { h in
            let (client, _) = try await h.register()
            let browser = try await h.signedInBrowser()
            let alice = try #require(try await h.store.user(principalName: "alice@contoso.com"))
            try await Self.addDevice(h, alice)
            h.clock.advance(by: 5)   // the session is older than the requests below
            for acr in [OIDCAssurance.phr, OIDCAssurance.phrh, OIDCAssurance.phishingResistant, "urn:example:unknown phr"] {
                // Decision 0027: she may add a passkey, so the weaker session is sent to sign in
                // again (that sign-in leads to the strength interrupt), never given a code …
                var params = h.codeParameters(client, challenge: nil)
                params["acr_values"] = acr
                let location = try #require(try await h.authorize(browser, params).headers[.location])
                #expect(location.hasPrefix("/login") && OIDCHarness.queryItem("code", in: location) == nil, "\(acr): \(location)")
                // … and without a sign-in page (prompt=none) it is the error.
                params["prompt"] = "none"
                let silent = try #require(try await h.authorize(browser, params).headers[.location])
                #expect(silent.hasPrefix(h.redirect), "\(acr): \(silent)")
                #expect(OIDCHarness.queryItem("error", in: silent) == "unmet_authentication_requirements", "\(acr): \(silent)")
                #expect(OIDCHarness.queryItem("code", in: silent) == nil)
            }

            // A synced passkey: phr is reachable, but the password session is weaker and older than
            // the request, so it is sent to sign in again; prompt=none cannot, so login_required.
            try await Self.addPasskey(h, alice, synced: true)
            h.clock.advance(by: 5)
            var params = h.codeParameters(client, challenge: nil)
            params["acr_values"] = OIDCAssurance.phr
            let location = try #require(try await h.authorize(browser, params).headers[.location])
            #expect(location.hasPrefix("/login") && OIDCHarness.queryItem("code", in: location) == nil, "\(location)")
            params["prompt"] = "none"
            let silent = try #require(try await h.authorize(browser, params).headers[.location])
            #expect(OIDCHarness.queryItem("error", in: silent) == "login_required" && OIDCHarness.queryItem("code", in: silent) == nil)
            // phrh needs a device-bound key: a synced one does not reach it.
            params["prompt"] = nil
            params["acr_values"] = OIDCAssurance.phrh
            let hardware = try #require(try await h.authorize(browser, params).headers[.location])
            #expect(OIDCHarness.queryItem("error", in: hardware) == "unmet_authentication_requirements", "\(hardware)")
        }
    }

    @Test func discoveryPublishesTheStrengths() async throws {
        try await OIDCHarness.run(live: true) { h in
            let response = try await h.client.execute(uri: "/.well-known/openid-configuration", method: .get, headers: [:], body: nil)
            let body = try JSONSerialization.jsonObject(with: Data(buffer: response.body)) as? [String: Any]
            let supported = try #require(body?["acr_values_supported"] as? [String])
            #expect(supported == OIDCAssurance.all && supported.contains("phr") && supported.contains("phrh"))
        }
    }
}
