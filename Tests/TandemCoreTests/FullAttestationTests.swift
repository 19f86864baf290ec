import Foundation
import TandemCore
import TandemTesting
import Testing

/// `packed` full attestation (x5c, decision 0037) against registrations built by Python
/// `cryptography` and `fido2` (Tests/Vectors/generate-webauthn-attestation.py): one vector per
/// refused condition, each made by changing one thing in a valid one.
@Suite("Packed full attestation against cryptography/fido2 vectors")
struct FullAttestationTests {
    static let vectors = WebAuthnAttestationVectors.loaded
    static let rp = WebAuthnRelyingParty(id: vectors.rp.id, origins: [vectors.rp.origin])
    static let roots = try! AttestationTrustAnchors(pemBundle: vectors.roots)

    static func verify(_ vector: WebAuthnAttestationVectors.Registration, policy: WebAuthnRelyingParty.Policy,
                       now: Date = vectors.date) async throws(TandemError) -> WebAuthnRelyingParty.NewCredential {
        try await rp.verifyRegistration(vector.response, challenge: Base64URL.decode(vector.challenge)!, policy: policy, now: now)
    }

    static func rejection(_ vector: WebAuthnAttestationVectors.Registration, policy: WebAuthnRelyingParty.Policy,
                          now: Date = vectors.date) async -> WebAuthnRejection? {
        do {
            _ = try await verify(vector, policy: policy, now: now)
            return nil
        } catch {
            return WebAuthnRejection(error)
        }
    }

    @Test("a full attestation chaining to the root verifies as basic under enforcement", arguments: vectors.valid)
    func valid(_ vector: WebAuthnAttestationVectors.Registration) async throws {
        let credential = try await Self.verify(vector, policy: vector.enforced(roots: Self.roots))
        #expect(credential.attestation == .basic)
        #expect(credential.attestation.rawValue == vector.expect?.attestation)
        #expect(credential.attestationFormat == vector.expect?.format)
        #expect(credential.aaguid == vector.aaguid)
        #expect(Base64URL.encode(credential.credentialID) == vector.credentialId)
    }

    @Test("a broken full attestation is refused for its reason, with its status", arguments: vectors.invalid)
    func invalid(_ vector: WebAuthnAttestationVectors.Registration) async throws {
        let expected = try #require(vector.rejection.flatMap(WebAuthnRejection.init(rawValue:)))
        do {
            _ = try await Self.verify(vector, policy: vector.enforced(roots: Self.roots))
            Issue.record("accepted")
        } catch {
            #expect(WebAuthnRejection(error) == expected, "\(error)")
            #expect(error.code == expected.error.code)
        }
    }

    @Test("with enforcement and roots, none and self attestation are still refused")
    func noneAndSelfAreNotEnough() async throws {
        let plain = WebAuthnVectors.loaded
        let rp = WebAuthnRelyingParty(id: plain.rp.id, origins: [plain.rp.origin])
        for vector in plain.registrations.valid {
            do {
                _ = try await rp.verifyRegistration(vector.response, challenge: Base64URL.decode(vector.challenge)!,
                                                    policy: .init(enforceAttestation: true, attestationRoots: Self.roots), now: Self.vectors.date)
                Issue.record("\(vector.name) accepted")
            } catch {
                #expect(WebAuthnRejection(error) == .attestationRequired, "\(vector.name)")
            }
        }
    }

    @Test("enforcement with no roots configured refuses even a good full attestation")
    func noRoots() async throws {
        let vector = Self.vectors.valid[0]
        #expect(await Self.rejection(vector, policy: .init(enforceAttestation: true)) == .attestationNoTrustAnchors)
        #expect(WebAuthnRejection.attestationNoTrustAnchors.error.code == .forbidden)
    }

    @Test("only the configured roots are trusted: another vendor's root does not vouch for this chain")
    func otherRoot() async throws {
        let other = try AttestationTrustAnchors(pemBundle: Self.vectors.otherRoots)
        for vector in Self.vectors.valid {
            #expect(await Self.rejection(vector, policy: vector.enforced(roots: other)) == .attestationUntrusted, "\(vector.name)")
        }
        let both = AttestationTrustAnchors(other.certificates + Self.roots.certificates)
        #expect(try await Self.verify(Self.vectors.valid[0], policy: Self.vectors.valid[0].enforced(roots: both)).attestation == .basic)
    }

    @Test("validity is judged at the injected time, not the machine's", arguments: [
        (Date(timeIntervalSince1970: 1_700_000_000), WebAuthnRejection?.some(.attestationCertificateExpired)),   // 2023: before notBefore
        (Date(timeIntervalSince1970: 1_780_272_000), nil),                                                         // 2026
        (Date(timeIntervalSince1970: 2_100_000_000), .attestationCertificateExpired),                              // 2036: after notAfter
    ] as [(Date, WebAuthnRejection?)])
    func validityTime(_ now: Date, _ expected: WebAuthnRejection?) async {
        let vector = Self.vectors.valid[0]
        #expect(await Self.rejection(vector, policy: vector.enforced(roots: Self.roots), now: now) == expected)
    }

    @Test("without enforcement, a verified chain is recorded as basic and anything else as none (never refused)")
    func notEnforced() async throws {
        let good = Self.vectors.valid[0]
        #expect(try await Self.verify(good, policy: .init(attestationRoots: Self.roots)).attestation == .basic)
        #expect(try await Self.verify(good, policy: .init()).attestation == .none, "no roots: not judged")
        let untrusted = try #require(Self.vectors.invalid.first { $0.rejection == "attestationUntrusted" })
        #expect(try await Self.verify(untrusted, policy: .init(attestationRoots: Self.roots)).attestation == .none)
        let badSignature = try #require(Self.vectors.invalid.first { $0.rejection == "attestationInvalid" })
        #expect(try await Self.verify(badSignature, policy: .init(attestationRoots: Self.roots)).attestation == .none)
    }

    @Test("the Fido2 configuration's isAttestationEnforced reaches the relying party's policy, with the AAGUID lists")
    func configurationPolicy() {
        let config = Fido2Configuration(isAttestationEnforced: true,
                                        keyRestrictions: .init(isEnforced: true, enforcementType: .block, aaGuids: ["3b24b5e4-c3d0-4bd8-8c1e-6a0a2f8d4c11"]))
        #expect(config.relyingPartyPolicy.enforceAttestation)
        #expect(config.relyingPartyPolicy.blockedAAGUIDs == ["3b24b5e4-c3d0-4bd8-8c1e-6a0a2f8d4c11"])
        #expect(Fido2Configuration(isAttestationEnforced: true).relyingPartyPolicy.enforceAttestation)
        #expect(!Fido2Configuration.default.relyingPartyPolicy.enforceAttestation)
    }
}

/// The administrator's PEM bundle of attestation roots (`--fido2-attestation-roots`).
@Suite struct AttestationTrustAnchorsTests {
    static let vectors = WebAuthnAttestationVectors.loaded

    /// The leaf of a vector's x5c as PEM: a certificate that is not a CA.
    static func leafPEM() throws -> String {
        let object = try CBOR.decode(Base64URL.decode(vectors.valid[0].attestationObject)!)
        guard case .array(let chain)? = object[text: "attStmt"]?[text: "x5c"], case .bytes(let der)? = chain.first else {
            throw TandemError(.badRequest, "no x5c")
        }
        let base64 = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN CERTIFICATE-----\n\(base64)\n-----END CERTIFICATE-----\n"
    }

    @Test("a bundle of CA certificates is read in order")
    func bundle() throws {
        let anchors = try AttestationTrustAnchors(pemBundle: Self.vectors.roots + Self.vectors.otherRoots + Self.vectors.intermediate)
        #expect(anchors.count == 3)
        #expect(try AttestationTrustAnchors(pemBundle: "# comment line\n" + Self.vectors.roots).count == 1)
    }

    @Test("bad input is refused with a one-line reason that names the entry", arguments: [
        ("", "no PEM certificate in the file"),
        ("just some text", "no PEM certificate in the file"),
        ("-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n", "not a PEM file (expected -----BEGIN CERTIFICATE----- blocks)"),
        ("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "entry 1 is not a valid X.509 certificate"),
        ("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "entry 1 is a PRIVATE KEY, not a CERTIFICATE"),
    ])
    func refused(_ text: String, _ message: String) {
        do {
            _ = try AttestationTrustAnchors(pemBundle: text)
            Issue.record("accepted")
        } catch {
            #expect(error.code == .badRequest && error.message == message, "\(error.message)")
        }
    }

    @Test("an attestation (leaf) certificate is not a root")
    func leafIsNotARoot() throws {
        let bundle = try Self.vectors.roots + Self.leafPEM()
        do {
            _ = try AttestationTrustAnchors(pemBundle: bundle)
            Issue.record("accepted")
        } catch {
            #expect(error.message.hasPrefix("entry 2 ("), "\(error.message)")
            #expect(error.message.hasSuffix("is not a CA certificate (basicConstraints CA is not true)"))
            #expect(!error.message.contains("\n"))
        }
    }
}
