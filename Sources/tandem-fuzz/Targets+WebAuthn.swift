import Foundation
import TandemCore

/// The WebAuthn relying party (TandemCore/WebAuthn) on damaged CBOR, authenticator data,
/// attestation objects and client data. Seeds are fido2-built responses from
/// Tests/Vectors/webauthn-vectors.json. Properties: nothing traps; every refusal is a 4xx
/// `TandemError`; a damaged assertion is never accepted (its signature covers every byte), nor a
/// damaged x5c statement as anything but the same attested credential.
enum WebAuthnTargets {
    static let rp = WebAuthnRelyingParty(id: "login.tandem.test", origins: ["https://login.tandem.test"])
    // From webauthn-vectors.json: "packed self ES256, synced passkey" and "assert ES256".
    static let registrationClientData = Base64URL.decode("eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiQ3dQVDhMa2NyYm5YZkpJQjJOYmdmc2RjT3h0Rk96QllWUUtkc2pmcnJ3SSIsIm9yaWdpbiI6Imh0dHBzOi8vbG9naW4udGFuZGVtLnRlc3QiLCJjcm9zc09yaWdpbiI6ZmFsc2V9")!
    static let registrationChallenge = Base64URL.decode("CwPT8LkcrbnXfJIB2NbgfsdcOxtFOzBYVQKdsjfrrwI")!
    static let attestationObject = Base64URL.decode("o2NmbXRmcGFja2VkZ2F0dFN0bXSiY2FsZyZjc2lnWEYwRAIgFXpwvpgq6eLjuw4A1FAxDT-5xcQp4SCKhKm_8dixNGQCIGxapZXvzkiOP7lToELpaM8rTyAnnlhGC10HxkKG1uZzaGF1dGhEYXRhWKT3ZAa_LovlzBbY3HlwPqbUvA14XnGLc-ZA5Q0e_XmgGV0AAAAA7ogoeXIcSROXdT38zpcHKgAgjmXKeNR-lgGrJpaaq5o8PTSRzXya1FKDv0Mec1_xtcmlAQIDJiABIVggYP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7YiWCB5A_4QCLi8maQa6elWKLxk8vGyDC1-n1F3o8KU1EYimQ")!
    static let edDSAAttestationObject = Base64URL.decode("o2NmbXRmcGFja2VkZ2F0dFN0bXSiY2FsZydjc2lnWEAYpObmTjuNFRoJSy8De5OpthJOb-WCcj5RRaCKZ_swhTnfnN5cWZEFPfLxYJWTTYmJwcq9sYnwUSM_uhQshWUDaGF1dGhEYXRhWIH3ZAa_LovlzBbY3HlwPqbUvA14XnGLc-ZA5Q0e_XmgGUUAAAAHAAAAAAAAAAAAAAAAAAAAAAAg0HD8U_E7fFDcT_LjlHzt4MehsdFcWIfziVDMW3n5LmmkAQEDJyAGIVggA6EHv_POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg")!
    static let assertionClientData = Base64URL.decode("eyJ0eXBlIjoid2ViYXV0aG4uZ2V0IiwiY2hhbGxlbmdlIjoiSkN1Q0R2LUN2MEZBR1hEdklMR1Z6ekp6RlJNWVJLd0FjWlNEUURuVlJmMCIsIm9yaWdpbiI6Imh0dHBzOi8vbG9naW4udGFuZGVtLnRlc3QiLCJjcm9zc09yaWdpbiI6ZmFsc2V9")!
    static let assertionChallenge = Base64URL.decode("JCuCDv-Cv0FAGXDvILGVzzJzFRMYRKwAcZSDQDnVRf0")!
    static let authenticatorData = Base64URL.decode("92QGvy6L5cwW2Nx5cD6m1LwNeF5xi3PmQOUNHv15oBkFAAAAAQ")!
    static let signature = Base64URL.decode("MEYCIQC0wpzXYdP6YIK0C6G6Y-t5Pk0x5UCVmHBCgpAqdwppkAIhAOVbUqSzwzJzrfC2j2N11HCSGzuQls4iUh-Ym-xhD_tR")!
    static let publicKey = Base64URL.decode("pQECAyYgASFYIGD-1LolWp0xyWHrdMY1bWjASbiSO2H6bOZpYi5g8p-2IlggeQP-EAi4vJmkGunpVii8ZPLxsgwtfp9Rd6PClNRGIpk")!

    static let dictionary = ["\u{A1}", "\u{A5}", "\u{58}\u{20}", "\u{59}\u{01}", "\u{5B}", "\u{9F}", "\u{BF}", "\u{FF}", "\u{C0}", "\u{26}",
                             "\u{38}\u{1E}", "\u{01}\u{02}\u{03}\u{26}", "\u{63}fmt", "\u{64}none", "\u{66}packed", "\u{67}attStmt",
                             "\u{68}authData", "\u{63}sig", "\u{63}alg", "\u{45}", "\u{00}\u{00}\u{00}\u{00}"]

    static func refusal(_ error: TandemError) throws {
        try check([.badRequest, .unauthorized, .forbidden].contains(error.code), "refused with \(error.code): \(error.message)")
    }

    static let cbor = ClosureTarget("webauthn-cbor", "CBOR.decode and COSEKey(encoded:) on damaged bytes", dictionary: dictionary, seeds: []) { input in
        do {
            _ = try CBOR.decode(input)
        } catch let error as TandemError {
            try refusal(error)
            return false
        }
        do { _ = try COSEKey(encoded: input) } catch let error as TandemError { try refusal(error) }
        return true
    }

    static let registration = ClosureTarget("webauthn-registration", "verifyRegistration on damaged attestation objects",
                                            dictionary: dictionary, seeds: []) { input in
        do {
            _ = try await rp.verifyRegistration(.init(clientDataJSON: registrationClientData, attestationObject: input),
                                                challenge: registrationChallenge, policy: .init(), now: Date(timeIntervalSince1970: 1_800_000_000))
            return true
        } catch let error as TandemError {
            try refusal(error)
            return false
        }
    }

    static let assertion = ClosureTarget("webauthn-assertion", "verifyAssertion on damaged authenticator data (never accepted)",
                                         dictionary: dictionary, seeds: []) { input in
        let key = try COSEKey(encoded: publicKey)
        do {
            _ = try rp.verifyAssertion(.init(clientDataJSON: assertionClientData, authenticatorData: input, signature: signature),
                                       challenge: assertionChallenge,
                                       credential: .init(publicKey: key, signCount: 0, backupEligible: false), policy: .init())
            try check(input == authenticatorData, "a damaged assertion verified")
            return true
        } catch let finding as Finding {
            throw finding
        } catch let error as TandemError {
            try refusal(error)
            return false
        }
    }

    // From webauthn-attestation-vectors.json: "ES256 attestation certificate under the root" (decision 0037).
    static let x5cClientData = Base64URL.decode("eyJ0eXBlIjoid2ViYXV0aG4uY3JlYXRlIiwiY2hhbGxlbmdlIjoiY3BwY1FtWkJ2VUstR1YwcldGeVEzNXlLVWZ2SFZvSDI4YXNVNjlhdEJIYyIsIm9yaWdpbiI6Imh0dHBzOi8vbG9naW4udGFuZGVtLnRlc3QiLCJjcm9zc09yaWdpbiI6ZmFsc2V9")!
    static let x5cChallenge = Base64URL.decode("cppcQmZBvUK-GV0rWFyQ35yKUfvHVoH28asU69atBHc")!
    static let x5cAttestationObject = Base64URL.decode("o2NmbXRmcGFja2VkZ2F0dFN0bXSjY2FsZyZjc2lnWEYwRAIgJt6-z-wM8_I-nJhquUvqeWzjRMYI0iGh4abQY2Wuti8CICERXIwLZkch3BmftvprIEssOp4VGANeEs9eqpe2nDjUY3g1Y4FZAhcwggITMIIBuaADAgECAgEKMAoGCCqGSM49BAMCMFkxCzAJBgNVBAYTAlVTMSMwIQYDVQQKDBpUYW5kZW0gVGVzdCBBdXRoZW50aWNhdG9yczElMCMGA1UEAwwcVGFuZGVtIFRlc3QgQXR0ZXN0YXRpb24gUm9vdDAeFw0yNDAxMDEwMDAwMDBaFw0zNDAxMDEwMDAwMDBaMHkxCzAJBgNVBAYTAlVTMSMwIQYDVQQKDBpUYW5kZW0gVGVzdCBBdXRoZW50aWNhdG9yczEiMCAGA1UECwwZQXV0aGVudGljYXRvciBBdHRlc3RhdGlvbjEhMB8GA1UEAwwYVGFuZGVtIFRlc3QgS2V5IFNlcmllcyAxMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEUadYCDOJjqGxg8vXNQpAmQeMbvHB4Y6XDNdoMDXyXn0BEFInErC1p8_wgWhUhphKlOaDHtrEbnNg-p2DSnqBoaNSMFAwDAYDVR0TAQH_BAIwADAdBgNVHQ4EFgQU_Y8UQZvrQ3amw3y7G0MPXgWUSLkwIQYLKwYBBAGC5RwBAQQEEgQQOyS15MPQS9iMHmoKL41METAKBggqhkjOPQQDAgNIADBFAiEAne0rTIP13jKz5sSQDubV01wmfbfXvjUE5Mu1EpNRJkwCIH3hv9gqdtNxLj5WHvcDoeXNC5izELxPOE67gNA1Tv0FaGF1dGhEYXRhWKT3ZAa_LovlzBbY3HlwPqbUvA14XnGLc-ZA5Q0e_XmgGUUAAAAAOyS15MPQS9iMHmoKL41MEQAgJZxx6Rdvr2OvJoBpUdY5UgNWoXO4AokRz8coeKRSpOOlAQIDJiABIVggYP7UuiVanTHJYet0xjVtaMBJuJI7Yfps5mliLmDyn7YiWCB5A_4QCLi8maQa6elWKLxk8vGyDC1-n1F3o8KU1EYimQ")!
    static let x5cRoots = try! AttestationTrustAnchors(pemBundle: "-----BEGIN CERTIFICATE-----\nMIIB5DCCAYmgAwIBAgIBATAKBggqhkjOPQQDAjBZMQswCQYDVQQGEwJVUzEjMCEG\nA1UECgwaVGFuZGVtIFRlc3QgQXV0aGVudGljYXRvcnMxJTAjBgNVBAMMHFRhbmRl\nbSBUZXN0IEF0dGVzdGF0aW9uIFJvb3QwHhcNMjAwMTAxMDAwMDAwWhcNNDAwMTAx\nMDAwMDAwWjBZMQswCQYDVQQGEwJVUzEjMCEGA1UECgwaVGFuZGVtIFRlc3QgQXV0\naGVudGljYXRvcnMxJTAjBgNVBAMMHFRhbmRlbSBUZXN0IEF0dGVzdGF0aW9uIFJv\nb3QwWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAAQCF+YX8LZEOSgnj5aZnmmiOk8s\nFSvfbWzfZuW4AoLU7RlKfevLl3EtLdo8qFqodlpW9F/HWFmWUvKJfGUwbleUo0Iw\nQDAPBgNVHRMBAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIBhjAdBgNVHQ4EFgQUM8pr\nxekg5r7CoWzgenDoKCvNaNEwCgYIKoZIzj0EAwIDSQAwRgIhAO2mAxi05BIb4FDn\ngtF05hu47oTmCN/6ztl2iS5q6lI4AiEAyjxj1cE2zRr6DxmOgR4hTF5P/SBTWUNm\nspHMuEeKWvQ=\n-----END CERTIFICATE-----\n")
    static let x5cTime = Date(timeIntervalSince1970: 1780272000)
    static let x5cCredentialID = Base64URL.decode("JZxx6Rdvr2OvJoBpUdY5UgNWoXO4AokRz8coeKRSpOM")!

    static let x5c = ClosureTarget("webauthn-x5c", "verifyRegistration with enforced attestation on damaged packed x5c statements",
                                   dictionary: dictionary + ["\u{63}x5c", "\u{81}", "\u{82}", "\u{30}\u{82}", "\u{06}\u{03}\u{55}\u{1D}\u{13}"],
                                   seeds: []) { input in
        do {
            let credential = try await rp.verifyRegistration(.init(clientDataJSON: x5cClientData, attestationObject: input), challenge: x5cChallenge,
                                                             policy: .init(enforceAttestation: true, attestationRoots: x5cRoots), now: x5cTime)
            // Everything that matters is signed (authData by the attestation key, the certificates by the CA):
            // whatever still verifies must be the same credential, attested.
            try check(credential.attestation == .basic && credential.credentialID == x5cCredentialID, "a damaged x5c statement verified as \(credential)")
            return true
        } catch let finding as Finding {
            throw finding
        } catch let error as TandemError {
            try refusal(error)
            return false
        }
    }

    static let clientData = ClosureTarget("webauthn-client-data", "CollectedClientData on damaged JSON (never accepted unless unchanged in meaning)",
                                          dictionary: ["{", "}", "\"type\"", "\"webauthn.get\"", "\"challenge\"", "\"origin\"", "\"crossOrigin\"",
                                                       "true", "null", "\"https://login.tandem.test\"", "\\u0000"],
                                          seeds: [String(decoding: assertionClientData, as: UTF8.self)]) { input in
        do {
            let parsed = try CollectedClientData(input)
            try parsed.check(.get, challenge: assertionChallenge, origins: rp.origins)
            try check(parsed.origin == "https://login.tandem.test" && !parsed.crossOrigin && parsed.type == "webauthn.get", "accepted \(parsed)")
            return true
        } catch let finding as Finding {
            throw finding
        } catch let error as TandemError {
            try refusal(error)
            return false
        }
    }

    static var all: [any FuzzTarget] {
        [ByteSeeded(base: cbor, bytes: [publicKey, attestationObject, [0xA0], [0x80]]),
         ByteSeeded(base: registration, bytes: [attestationObject, edDSAAttestationObject]),
         ByteSeeded(base: assertion, bytes: [authenticatorData]),
         ByteSeeded(base: x5c, bytes: [x5cAttestationObject]),
         clientData]
    }
}
