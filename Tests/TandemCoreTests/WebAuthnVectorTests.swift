import Foundation
import TandemCore
import TandemTesting
import Testing

/// Tandem's verifier against responses built by an independent implementation (Python `fido2`).
@Suite("WebAuthn relying party against fido2's vectors")
struct WebAuthnVectorTests {
    static let vectors = WebAuthnVectors.loaded
    static let rp = WebAuthnRelyingParty(id: vectors.rp.id, origins: [vectors.rp.origin])
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    @Test("a valid registration from fido2 verifies with the expected results", arguments: vectors.registrations.valid)
    func validRegistration(_ vector: WebAuthnVectors.Registration) async throws {
        let expect = try #require(vector.expect)
        let credential = try await Self.rp.verifyRegistration(vector.response, challenge: Base64URL.decode(vector.challenge)!, policy: .init(), now: Self.now)
        #expect(Base64URL.encode(credential.credentialID) == vector.credentialId)
        #expect(Base64URL.encode(credential.publicKey.encoded) == vector.publicKey)
        #expect(credential.signCount == expect.signCount)
        #expect(credential.userVerified == expect.userVerified)
        #expect(credential.backupEligible == expect.backupEligible)
        #expect(credential.backedUp == expect.backedUp)
        #expect(credential.attestationFormat == expect.format)
        #expect(credential.attestation.rawValue == expect.attestation)
        #expect(credential.aaguid == expect.aaguid)
    }

    @Test("a tampered registration is refused for its reason", arguments: vectors.registrations.invalid)
    func invalidRegistration(_ vector: WebAuthnVectors.Registration) async throws {
        let expected = try #require(vector.rejection.flatMap(WebAuthnRejection.init(rawValue:)))
        await #expect(throws: expected.error) {
            try await Self.rp.verifyRegistration(vector.response, challenge: Base64URL.decode(vector.challenge)!, policy: .init(), now: Self.now)
        }
        do {
            _ = try await Self.rp.verifyRegistration(vector.response, challenge: Base64URL.decode(vector.challenge)!, policy: .init(), now: Self.now)
        } catch {
            #expect(WebAuthnRejection(error) == expected, "\(error)")
        }
    }

    static func stored(_ vector: WebAuthnVectors.Assertion) throws -> WebAuthnRelyingParty.StoredCredential {
        .init(publicKey: try COSEKey(encoded: Base64URL.decode(vector.publicKey)!), signCount: vector.storedSignCount,
              backupEligible: vector.backupEligible)
    }

    @Test("a valid assertion from fido2 verifies and returns the new counter", arguments: vectors.assertions.valid)
    func validAssertion(_ vector: WebAuthnVectors.Assertion) throws {
        let expect = try #require(vector.expect)
        let result = try Self.rp.verifyAssertion(vector.response, challenge: Base64URL.decode(vector.challenge)!,
                                                 credential: Self.stored(vector), policy: .init())
        #expect(result.signCount == expect.signCount)
        #expect(result.userVerified == expect.userVerified)
        #expect(result.backedUp == expect.backedUp)
    }

    @Test("a tampered assertion is refused for its reason", arguments: vectors.assertions.invalid)
    func invalidAssertion(_ vector: WebAuthnVectors.Assertion) throws {
        let expected = try #require(vector.rejection.flatMap(WebAuthnRejection.init(rawValue:)))
        do {
            _ = try Self.rp.verifyAssertion(vector.response, challenge: Base64URL.decode(vector.challenge)!,
                                            credential: Self.stored(vector), policy: .init())
            Issue.record("accepted")
        } catch let error as TandemError {
            #expect(WebAuthnRejection(error) == expected, "\(error)")
            #expect(error.code == expected.error.code)
        }
    }

    @Test("without the user-verification requirement, an assertion with presence only verifies")
    func presenceOnly() throws {
        let vector = try #require(Self.vectors.assertions.invalid.first { $0.rejection == "userNotVerified" })
        let result = try Self.rp.verifyAssertion(vector.response, challenge: Base64URL.decode(vector.challenge)!,
                                                 credential: Self.stored(vector), policy: .init(requireUserVerification: false))
        #expect(result.userVerified == false)
    }

    @Test("an enforced attestation with no attestation roots refuses every registration (fail closed)")
    func enforcedAttestation() async throws {
        for vector in Self.vectors.registrations.valid {
            do {
                _ = try await Self.rp.verifyRegistration(vector.response, challenge: Base64URL.decode(vector.challenge)!,
                                                   policy: .init(enforceAttestation: true), now: Self.now)
                Issue.record("\(vector.name) accepted")
            } catch {
                #expect(WebAuthnRejection(error) == .attestationNoTrustAnchors)
            }
        }
    }

    @Test("AAGUID block and allow lists decide which authenticator models register")
    func aaguidLists() async throws {
        let synced = try #require(Self.vectors.registrations.valid.first { $0.expect?.aaguid.hasPrefix("ee88") == true })
        let challenge = Base64URL.decode(synced.challenge)!
        let aaguid = "ee882879-721c-4913-9775-3dfcce97072a"
        await #expect(throws: WebAuthnRejection.aaguidNotAllowed.error) {
            try await Self.rp.verifyRegistration(synced.response, challenge: challenge, policy: .init(blockedAAGUIDs: [aaguid]), now: Self.now)
        }
        await #expect(throws: WebAuthnRejection.aaguidNotAllowed.error) {
            try await Self.rp.verifyRegistration(synced.response, challenge: challenge,
                                           policy: .init(allowedAAGUIDs: ["00000000-0000-0000-0000-000000000000"]), now: Self.now)
        }
        let allowed = try await Self.rp.verifyRegistration(synced.response, challenge: challenge, policy: .init(allowedAAGUIDs: [aaguid]), now: Self.now)
        #expect(allowed.aaguid == aaguid)
    }

    @Test("the RP ID and origin come from the public URL")
    func fromPublicURL() throws {
        let rp = try WebAuthnRelyingParty(publicURL: "https://Login.Tandem.test/")
        #expect(rp.id == "login.tandem.test")
        #expect(rp.origins == ["https://login.tandem.test"])
        let local = try WebAuthnRelyingParty(publicURL: "http://localhost:8443")
        #expect(local.id == "localhost")
        #expect(local.origins == ["http://localhost:8443"])
        #expect(throws: TandemError.self) { try WebAuthnRelyingParty(publicURL: "not a url") }
    }

    @Test("the same registration verified twice gives the same credential (the store refuses the second)")
    func deterministic() async throws {
        let vector = Self.vectors.registrations.valid[0]
        let challenge = Base64URL.decode(vector.challenge)!
        let a = try await Self.rp.verifyRegistration(vector.response, challenge: challenge, policy: .init(), now: Self.now)
        let b = try await Self.rp.verifyRegistration(vector.response, challenge: challenge, policy: .init(), now: Self.now)
        #expect(a == b)
    }
}
