import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The strength interrupt (decision 0027): a sign-in that met MFA but not the strength it must
/// reach, by a user with no passkey, waits at `enrol`. Its page adds a passkey — the same
/// ceremony as security info, proven by the interrupt's MFA sign-in in the last five minutes (the
/// flow, no session) — and then signs in with it in the same flow (`/login/passkey`), which alone
/// completes it. Everything is behind the flow cookie and its CSRF token.
extension SecurityInfoController {
    func registerStrengthEnrolment(on router: Router<TandemRequestContext>) {
        router.get("/login/enrol") { request, _ in
            let token = Web.cookie(Web.flowCookie, request)
            guard let (user, _, flow) = try? await self.signIn.enrolment(token: token) else { return Web.redirect("/login") }
            var offer = SignInOffer(strength: flow.requiredStrength)
            offer.enrol = true
            return self.pages.page("enrol", title: "Add a passkey", await self.applications.continueTo(flow.returnTo, [
                "username": user.userPrincipalName, "csrf": Web.flowCSRF(request),
                "added": request.uri.queryParameters.get("added") != nil,
                "strengthNotice": "Your organization requires \(flow.requiredStrength == .passwordlessMFA ? "a passwordless sign-in" : "a passkey") to access this resource.",
            ]))
        }
        router.post("/login/enrol/passkey/options") { request, _ in
            let body = try await Self.decodeJSON(PasskeyOptionsRequest.self, request)
            try Web.checkCSRF(body.csrf, session: Web.cookie(Web.flowCookie, request))
            let (user, proof, _) = try await self.signIn.enrolment(token: Web.cookie(Web.flowCookie, request))
            return JSONResponse.make(try await self.security.passkeys.beginRegistration(for: user, session: proof, publicURL: self.publicURL()))
        }
        router.post("/login/enrol/passkey") { request, _ in
            let body = try await Self.decodeJSON(PasskeyRegistrationRequest.self, request)
            try Web.checkCSRF(body.csrf, session: Web.cookie(Web.flowCookie, request))
            let (user, proof, _) = try await self.signIn.enrolment(token: Web.cookie(Web.flowCookie, request))
            let answer = PasskeyService.RegistrationAnswer(challengeId: body.challengeId, clientDataJSON: body.clientDataJSON,
                                                           attestationObject: body.attestationObject, transports: body.transports, name: body.name)
            let passkey = try await self.security.passkeys.finishEnrolment(answer, for: user, proof: proof, publicURL: self.publicURL())
            var response = JSONResponse.make(PasskeyRegistered(id: passkey.id, name: passkey.name, passkeyType: passkey.passkeyType), status: .created)
            // Adding a method ends the user's sessions (this browser's too): it signs in with the passkey next.
            Web.clearCookie(&response, name: Web.sessionCookie, secure: self.secureCookies)
            return response
        }
    }
}
