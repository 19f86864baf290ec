import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The registration campaign's prompt (decision 0034): "Keep your account secure" between the
/// verified factors and the session. "Next" completes the sign-in and opens security info to set
/// the method up (with the way on to the application the sign-in is for); "Not now" (while snoozes remain) counts a snooze on the server and completes the
/// sign-in as it would have. Both forms carry the flow's CSRF token; both complete through
/// `complete`, the one completion.
extension SignInController {
    func registerCampaign(on router: Router<TandemRequestContext>) {
        router.get("/login/keep-secure") { request, _ in
            guard let nudge = try await self.signIn.registrationNudge(token: Web.cookie(Web.flowCookie, request)) else {
                return Web.redirect("/login/complete")
            }
            let user = try await self.signIn.flowUser(token: Web.cookie(Web.flowCookie, request))
            return self.pages.page("keepSecure", title: "Keep your account secure", [
                "username": user.userPrincipalName, "csrf": Web.flowCSRF(request), "maySnooze": nudge.maySnooze,
                "authenticator": nudge.method == .microsoftAuthenticator, "passkey": nudge.method == .fido2,
            ])
        }
        router.post("/login/keep-secure/next") { request, _ in
            try Web.checkFlowCSRF(try await Web.form(request), request)
            guard try await self.signIn.registrationNudge(token: Web.cookie(Web.flowCookie, request)) != nil else {
                return Web.redirect("/login/complete")
            }
            return try await self.complete(request, nudgeHandled: true, destination: try await self.campaignDestination(request))
        }
        router.post("/login/keep-secure/snooze") { request, _ in
            try Web.checkFlowCSRF(try await Web.form(request), request)
            let token = Web.cookie(Web.flowCookie, request)
            guard let nudge = try await self.signIn.registrationNudge(token: token) else { return Web.redirect("/login/complete") }
            guard nudge.maySnooze else {
                throw TandemError(.forbidden, "Your organization requires you to set up this sign-in method now.")
            }
            try await self.signIn.snoozeRegistrationCampaign(token: token)
            return try await self.complete(request, nudgeHandled: true)
        }
    }

    /// Where "Next" goes: security info to set the method up, carrying what the sign-in would have
    /// returned to (an OIDC application's authorization request, decision 0032) as `return_to`, so
    /// security info's "Continue to <App>" finishes it. Read before the completion finishes the flow.
    func campaignDestination(_ request: Request) async throws -> String {
        let flow = try await signIn.flow(token: Web.cookie(Web.flowCookie, request))
        guard let back = SignInFlow.safeReturnPath(flow.returnTo) else { return "/mysecurityinfo?campaign=1" }
        return "/mysecurityinfo?campaign=1&return_to=" + FormQuery.encode(back)
    }
}
