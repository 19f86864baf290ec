import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Sign-in with a passkey (decision 0020): two JSON endpoints behind the username page's CSRF
/// token (the `tandem_csrf` double-submit cookie, or the flow's when the browser has one).
/// `/static/passkey-sign-in.js` drives them from "Sign in with a passkey" and from passkey
/// autofill in the username field (conditional mediation).
struct PasskeySignInController: Sendable {
    let signIn: SignInService
    let publicURL: @Sendable () -> String
    let secureCookies: Bool
    /// The application the sign-in is for (an OIDC client's name and id, else Tandem), for the log.
    let applications: OIDCApplicationContext

    struct OptionsRequest: Decodable { var csrf: String? }
    struct AssertionRequest: Decodable {
        var csrf: String?
        var returnTo: String?
        var challengeId: String
        var credentialId: String
        var clientDataJSON: String
        var authenticatorData: String
        var signature: String
        var userHandle: String?
    }
    struct Next: Encodable { var next: String }

    func register(on router: Router<TandemRequestContext>) {
        router.post("/login/passkey/options") { request, _ in
            let body = try await SecurityInfoController.decodeJSON(OptionsRequest.self, request)
            try Self.checkCSRF(body.csrf, request)
            return JSONResponse.make(try await self.signIn.passkeyOptions(publicURL: self.publicURL()))
        }
        router.post("/login/passkey") { request, context in
            let body = try await SecurityInfoController.decodeJSON(AssertionRequest.self, request)
            try Self.checkCSRF(body.csrf, request)
            let assertion = SignInService.PasskeyAssertion(challengeId: body.challengeId, credentialId: body.credentialId,
                                                           clientDataJSON: body.clientDataJSON, authenticatorData: body.authenticatorData,
                                                           signature: body.signature, userHandle: body.userHandle)
            let flowToken = Web.cookie(Web.flowCookie, request)
            let started = try await self.signIn.signInWithPasskey(
                assertion, flowToken: flowToken, context: await self.challengeContext(request, context, returnTo: body.returnTo, flowToken: flowToken),
                publicURL: self.publicURL(), returnTo: body.returnTo)
            var response = JSONResponse.make(Next(next: "/login/complete"))
            Web.setCookie(&response, name: Web.flowCookie, value: started.token, maxAge: Int(self.signIn.flowLifetime), secure: self.secureCookies)
            return response
        }
    }

    /// The context of the sign-in a passkey starts or finishes (decision 0032): its application is
    /// the one the sign-in returns to — the page's `returnTo` when it is a local path, else the
    /// browser's flow's (the password page's button) — as `signInWithPasskey` decides the flow's.
    func challengeContext(_ request: Request, _ context: TandemRequestContext, returnTo: String?, flowToken: String?) async -> ChallengeContext {
        var target = SignInFlow.safeReturnPath(returnTo)
        if target == nil, let flowToken, !flowToken.isEmpty { target = (try? await signIn.flow(token: flowToken))?.returnTo }
        return await applications.challengeContext(request, context, returnTo: target)
    }

    /// The username page's token, or the flow's (the password page).
    static func checkCSRF(_ token: String?, _ request: Request) throws {
        if (try? Web.checkCSRF(token, session: Web.cookie(Web.loginCSRFCookie, request))) != nil { return }
        try Web.checkCSRF(token, session: Web.cookie(Web.flowCookie, request))
    }
}
