import Foundation
import Logging
import TandemCore
import TandemServices
import TandemTesting
import Testing

/// The OIDC use cases over the in-memory twins (storage and signer): a code flow and a CIBA
/// sign-in, and that neither logs a secret.
@Suite struct OIDCServiceTests {
    static let redirect = "https://app.example.com/cb"

    static func environment(_ s: Scenario) -> OIDCEnvironment {
        OIDCEnvironment(env: s.t.env, settings: OIDCSettings(), signer: OIDCTestTokenSigner(), issuer: { "https://id.example.com" })
    }

    @Test func aCodeFlowAndACIBASignInLogNoSecret() async throws {
        let capture = CapturingLog()
        let logger = capture.logger
        let s = try await Scenario(seed: 9)
        let phone = try await s.addPhone()
        let oidc = Self.environment(s)
        var secrets: [String] = []

        let (client, secret) = try await OIDCClientRegistry(env: s.t.env).register(
            OIDCClientDraft(displayName: "Payroll", redirectURIs: [Self.redirect], grantTypes: [.authorizationCode, .refreshToken, .ciba]), by: nil)
        secrets.append(try #require(secret))
        // A browser session (password + push), then the authorization request and the code.
        let flowToken = try await s.startMFA()
        let (offer, number) = try await s.offer(for: flowToken, phone: phone)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        let (sessionToken, _) = try await s.signIn.complete(token: flowToken)
        secrets += [flowToken, sessionToken]
        let verifier = String(repeating: "v", count: 50)
        let outcome = try await OIDCAuthorizationService(oidc: oidc, logger: logger).authorize(
            ["client_id": client.clientID, "redirect_uri": Self.redirect, "response_type": "code", "scope": "openid offline_access",
             "code_challenge": SecretDigest.of(verifier), "code_challenge_method": "S256", "nonce": "n-1", "state": "st"],
            repeated: [], sessionToken: sessionToken)
        guard case .redirect(let location) = outcome else { Issue.record("expected a code"); return }
        let code = try #require(URLComponents(string: location)?.queryItems?.first { $0.name == "code" }?.value)
        secrets.append(code)
        let tokens = try await OIDCTokenService(oidc: oidc, logger: logger).exchange(
            ["grant_type": "authorization_code", "code": code, "redirect_uri": Self.redirect, "code_verifier": verifier], client: client)
        let idToken = try #require(tokens.idToken)
        secrets += [tokens.accessToken, try #require(tokens.refreshToken), idToken]
        let claims = try #require(await OIDCTestTokenSigner().verify(idToken, as: IDTokenClaims.self))
        #expect(claims.amr == ["mfa", "pwd", "swk"] && claims.acr == OIDCAssurance.multiFactor && claims.nonce == "n-1")

        // CIBA: the number goes to the client, the phone answers with it, the token follows.
        let ciba = CIBAService(oidc: oidc, logger: logger)
        let (ack, _) = try await ciba.start(["scope": "openid", "login_hint": "alice@contoso.com", "binding_message": "W-1"],
                                            client: client, requester: Scenario.context)
        secrets.append(ack.authReqID)
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        let pushed = try #require(try await s.devices.pending(for: device).first)
        #expect(pushed.context.bindingMessage == "W-1")
        _ = try await s.challenges.answer(challengeID: pushed.id, phone.answer(pushed, .approve, number: ack.number))
        let cibaTokens = try await OIDCTokenService(oidc: oidc, logger: logger).exchange(
            ["grant_type": OIDCClient.GrantType.ciba.rawValue, "auth_req_id": ack.authReqID], client: client)
        secrets.append(cibaTokens.accessToken)

        let log = capture.text
        #expect(log.contains("authorization code issued") && log.contains("CIBA request started"), "the log was captured")
        for secret in secrets { #expect(!log.contains(secret), "a secret reached the log") }
        for pattern in [": \(ack.number)]", ": \(ack.number),", " \(ack.number) ", "=\(ack.number)"] {
            #expect(!log.contains(pattern), "the CIBA number reached the log")
        }
    }

    @Test(arguments: [
        (["pwd"], OIDCAssurance.password), (["mfa", "pwd", "swk"], OIDCAssurance.multiFactor),
        (["mfa", "pin", "swk"], OIDCAssurance.passwordless), (["otp", "pwd"], OIDCAssurance.multiFactor),
        (["mfa", "tap"], OIDCAssurance.multiFactor), (["mfa", "hwk", "user"], OIDCAssurance.phishingResistant),
        (["mfa", "swk", "user"], OIDCAssurance.phishingResistant), (["mfa", "hwk"], OIDCAssurance.password),
    ])
    func theACRFollowsTheSessionsMethods(_ methods: [String], _ acr: String) {
        #expect(OIDCAssurance.acr(for: methods) == acr)
    }

    @Test(arguments: ["https://a.example.com/cb", "http://127.0.0.1:8400/cb", "http://localhost/cb", "com.example.app:/oauth"])
    func acceptableRedirectURIs(_ uri: String) {
        #expect(OIDCClientRegistry.isAcceptableRedirect(uri))
    }

    @Test(arguments: ["http://a.example.com/cb", "https://a.example.com/cb#x", "javascript:alert(1)", "myapp:/cb", "https:///cb", ""])
    func unacceptableRedirectURIs(_ uri: String) {
        #expect(!OIDCClientRegistry.isAcceptableRedirect(uri))
    }
}
