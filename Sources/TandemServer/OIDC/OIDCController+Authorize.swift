import Foundation
import Hummingbird
import TandemCore
import TandemServices

extension OIDCController {
    func registerAuthorization(on router: Router<TandemRequestContext>) {
        router.get("/oauth2/authorize") { request, context in
            try await self.authorize(OIDCHTTP.query(request), request, context)
        }
        router.post("/oauth2/authorize") { request, context in
            let buffer = try await request.body.collect(upTo: 64 * 1024)
            return try await self.authorize(OIDCHTTP.parse(String(buffer: buffer)), request, context)
        }
        router.get("/oauth2/authorize/continue") { request, context in
            let handle = request.uri.queryParameters.get("request") ?? ""
            return try await self.answer(request, context) {
                try await self.authorization.resume(handle: handle, sessionToken: Web.cookie(Web.sessionCookie, request))
            }
        }
        router.post("/oauth2/authorize/consent") { request, context in
            let buffer = try await request.body.collect(upTo: 64 * 1024)
            let values = OIDCHTTP.parse(String(buffer: buffer)).values
            let session = Web.cookie(Web.sessionCookie, request)
            try Web.checkCSRF(values["csrf"], session: session)
            let allow = values["decision"] == "allow"
            return try await self.answer(request, context) {
                try await self.authorization.consent(handle: values["request"] ?? "", sessionToken: session, allow: allow)
            }
        }
        router.get("/oauth2/logout") { request, _ in
            try await self.logout(OIDCHTTP.query(request).values, request, confirmed: false)
        }
        router.post("/oauth2/logout") { request, _ in
            let buffer = try await request.body.collect(upTo: 64 * 1024)
            let values = OIDCHTTP.parse(String(buffer: buffer)).values
            var confirmed = false
            if values["confirm"] == "yes" {
                try Web.checkCSRF(values["csrf"], session: Web.cookie(Web.sessionCookie, request))
                confirmed = true
            }
            return try await self.logout(values, request, confirmed: confirmed)
        }
    }

    func authorize(_ parameters: OIDCHTTP.Parameters, _ request: Request, _ context: TandemRequestContext) async throws -> Response {
        try await answer(request, context) {
            try await self.authorization.authorize(parameters.values, repeated: parameters.repeated,
                                                   sessionToken: Web.cookie(Web.sessionCookie, request))
        }
    }

    /// Turns an outcome into the browser's next step. A sign-in comes back to
    /// `/oauth2/authorize/continue`; a `login_hint` starts it with the name filled in.
    func answer(_ request: Request, _ context: TandemRequestContext, _ decide: () async throws -> OIDCAuthorizationService.Outcome) async throws -> Response {
        let outcome: OIDCAuthorizationService.Outcome
        do {
            outcome = try await decide()
        } catch let error as OIDCAuthorizationService.PageError {
            return pages.message(heading: "Sign-in request not accepted", message: error.message, link: "/", linkText: "Go to Tandem",
                                 status: .badRequest)
        }
        switch outcome {
        case .redirect(let location):
            return OIDCHTTP.redirect(location)
        case .consent(let handle, let application, let scopes, let user):
            let listed = scopes.map { ["name": $0, "description": OIDCHTTP.scopeDescriptions[$0] ?? $0] }
            return OIDCHTTP.page(OIDCHTTP.consentTemplate, title: "Allow access",
                                 ["application": application, "user": user, "scopes": listed, "handle": handle,
                                  "csrf": Web.csrfToken(session: Web.cookie(Web.sessionCookie, request))])
        case .signIn(let handle, let hint, let application):
            let returnTo = "/oauth2/authorize/continue?request=\(handle)"
            if let hint, !hint.isEmpty,
               let started = try? await signIn.begin(username: hint, context: Web.challengeContext(request, context, application: application),
                                                     returnTo: returnTo, browserMethod: Web.cookie(Web.methodCookie, request),
                                                     previousFlowToken: Web.cookie(Web.flowCookie, request)) {
                var response = Web.redirect(started.flow.stage == .push ? "/login/approve" : "/login/password")
                Web.setCookie(&response, name: Web.flowCookie, value: started.token, maxAge: Int(oidc.env.settings.flowLifetime), secure: secureCookies)
                return response
            }
            return Web.redirect("/login?return_to=\(OIDCHTTP.encode(returnTo))")
        }
    }

    func logout(_ values: [String: String], _ request: Request, confirmed: Bool) async throws -> Response {
        let session = Web.cookie(Web.sessionCookie, request)
        let outcome: OIDCAuthorizationService.LogoutOutcome
        do {
            outcome = try await authorization.logout(values, sessionToken: session, confirmed: confirmed)
        } catch let error as OIDCAuthorizationService.PageError {
            return pages.message(heading: "Sign-out request not accepted", message: error.message, link: "/", linkText: "Go to Tandem",
                                 status: .badRequest)
        }
        switch outcome {
        case .confirm:
            let user = try await signIn.user(sessionToken: session)?.0
            let fields = ["post_logout_redirect_uri", "state", "client_id", "id_token_hint"].compactMap { name in
                values[name].map { ["name": name, "value": $0] }
            }
            return OIDCHTTP.page(OIDCHTTP.logoutTemplate, title: "Sign out",
                                 ["fields": fields, "csrf": Web.csrfToken(session: session), "user": user?.userPrincipalName ?? ""])
        case .signedOut(let redirect):
            var response = redirect.map(OIDCHTTP.redirect)
                ?? pages.message(heading: "You have signed out", message: "You can close this window.", link: "/login", linkText: "Sign in again")
            Web.clearCookie(&response, name: Web.sessionCookie, secure: secureCookies)
            return response
        }
    }
}
