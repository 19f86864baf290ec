import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The browser's sign-in: username → (number at once | password → number or code) → session.
/// Every form carries a CSRF token (`WebSupport+CSRF.swift`); the other ways to sign in are in
/// `SignInController+Choices.swift`.
struct SignInController: Sendable {
    let signIn: SignInService
    let pages: PageRenderer
    let settings: ServiceSettings
    let secureCookies: Bool
    let random: any RandomSource
    /// The application each sign-in is for (an OIDC client's name, else Tandem), for the phone and the log.
    let applications: OIDCApplicationContext

    /// The challenge context of this request: the application is the one whose authorization the
    /// sign-in returns to (`returnTo`, or the flow's), so the phone and the sign-in log name it.
    /// The client's id goes with it, for the log's `appId` (decision 0032).
    func challengeContext(_ request: Request, _ context: TandemRequestContext, returnTo: String? = nil) async -> ChallengeContext {
        let target: String?
        if let returnTo { target = returnTo } else { target = (try? await signIn.flow(token: Web.cookie(Web.flowCookie, request)))?.returnTo }
        return await applications.challengeContext(request, context, returnTo: target)
    }

    /// The pages' "to continue to <App>" (decision 0032): `continueTo` is the display name of the
    /// OIDC client the sign-in returns to; absent on Tandem's own sign-in. Rendered escaped.
    func continueTo(_ returnTo: String?, _ values: [String: Any]) async -> [String: Any] {
        await applications.continueTo(returnTo, values)
    }

    func register(on router: Router<TandemRequestContext>) {
        router.get("/") { request, _ in try await self.home(request) }
        router.get("/login") { request, _ in
            // An OIDC authorization request waiting for this sign-in (`return_to`, a local path only).
            let returnTo = SignInFlow.safeReturnPath(request.uri.queryParameters.get("return_to")) ?? ""
            return self.loginPage(request, await self.continueTo(returnTo, ["returnTo": returnTo]))
        }
        router.post("/login") { request, context in try await self.submitUsername(request, context) }
        router.get("/login/password") { request, _ in try await self.passwordPage(request) }
        router.post("/login/password") { request, context in try await self.submitPassword(request, context) }
        router.get("/login/approve") { request, _ in try await self.approvePage(request) }
        router.get("/login/verify-passkey") { request, _ in try await self.passkeyStepPage(request) }
        router.get("/login/status") { request, _ in
            JSONResponse.make(try await self.signIn.status(token: Web.cookie(Web.flowCookie, request), wait: Web.waitSeconds(request)))
        }
        router.get("/login/events") { request, _ in try await self.events(request) }
        router.post("/login/resend") { request, context in
            try Web.checkFlowCSRF(try await Web.form(request), request)
            _ = try await self.signIn.resend(token: Web.cookie(Web.flowCookie, request),
                                             context: await self.challengeContext(request, context))
            return Web.redirect("/login/approve")
        }
        router.post("/login/use-password") { request, _ in
            try Web.checkFlowCSRF(try await Web.form(request), request)
            _ = try await self.signIn.usePassword(token: Web.cookie(Web.flowCookie, request))
            return Web.redirect("/login/password")
        }
        registerChoices(on: router)
        registerCampaign(on: router)
        router.get("/login/complete") { request, _ in try await self.complete(request) }
        router.post("/logout") { request, _ in
            try Web.checkSessionCSRF(try await Web.form(request), request)
            try await self.signIn.signOut(sessionToken: Web.cookie(Web.sessionCookie, request))
            var response = Web.redirect("/login")
            Web.clearCookie(&response, name: Web.sessionCookie, secure: self.secureCookies)
            return response
        }
    }

    func home(_ request: Request) async throws -> Response {
        guard let (user, session) = try await signIn.user(sessionToken: Web.cookie(Web.sessionCookie, request)) else {
            return Web.redirect("/login")
        }
        return pages.page("home", title: "Signed in", [
            "displayName": user.displayName, "userPrincipalName": user.userPrincipalName,
            "methods": session.methods.joined(separator: ", "), "csrf": Web.csrfToken(session: Web.cookie(Web.sessionCookie, request)),
        ])
    }

    /// The username page with its double-submit CSRF cookie (set when the browser has none).
    func loginPage(_ request: Request, _ values: [String: Any], status: HTTPResponse.Status = .ok) -> Response {
        let csrf = Web.loginCSRF(request, random: random)
        var values = values
        values["csrf"] = csrf.token
        var response = pages.page("login", title: "Sign in", values, status: status)
        if csrf.isNew { Web.setLoginCSRFCookie(&response, value: csrf.cookie, secure: secureCookies) }
        return response
    }

    func submitUsername(_ request: Request, _ context: TandemRequestContext) async throws -> Response {
        let form = try await Web.form(request)
        let username = form["username"] ?? ""
        let returnTo = SignInFlow.safeReturnPath(form["return_to"]) ?? ""
        do {
            try Web.checkCSRF(form["csrf"], session: Web.cookie(Web.loginCSRFCookie, request))
        } catch let error as TandemError {
            return loginPage(request, await continueTo(returnTo, ["error": error.message, "username": username, "returnTo": returnTo]), status: .forbidden)
        }
        let started: (token: String, flow: SignInFlow)
        do {
            started = try await signIn.begin(username: username, context: await challengeContext(request, context, returnTo: returnTo),
                                             returnTo: form["return_to"], browserMethod: Web.cookie(Web.methodCookie, request),
                                             previousFlowToken: Web.cookie(Web.flowCookie, request))
        } catch let error as TandemError where error.code == .badRequest {
            return loginPage(request, await continueTo(returnTo, ["error": error.message, "username": username, "returnTo": returnTo]), status: .badRequest)
        }
        var response = Web.redirect(started.flow.stage == .push ? "/login/approve" : "/login/password")
        Web.setCookie(&response, name: Web.flowCookie, value: started.token, maxAge: Int(settings.flowLifetime), secure: secureCookies)
        return response
    }

    func passwordPage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let options = try await signIn.options(token: Web.cookie(Web.flowCookie, request))
        // One page shape for every name (decision 0013): no per-user heading or choices.
        // A flow that must reach a strength (decision 0027) offers only the ways that reach it, and says why.
        let offer = options.offer
        var values: [String: Any] = [
            "username": options.username, "csrf": Web.flowCSRF(request), "choseCode": options.choseCode,
            "waitingElsewhere": options.waitingElsewhere, "offerPassword": offer.password,
            "offerPasskeyOnly": !offer.password && offer.passkey, "offerPhone": offer.phoneSignIn,
            "otherWays": offer.password || (offer.phoneSignIn && options.passwordless),
        ]
        if let notice = options.strengthNotice { values["strengthNotice"] = notice }
        if let error { values["error"] = error }
        return pages.page("password", title: "Enter password", await continueTo(options.returnTo, values), status: status)
    }

    /// System-preferred MFA's passkey step (decision 0033), with the other second factors the user has.
    func passkeyStepPage(_ request: Request) async throws -> Response {
        let options = try await signIn.options(token: Web.cookie(Web.flowCookie, request))
        guard options.stage == .passkey else {
            return Web.redirect(options.stage == .push ? "/login/approve" : options.stage == .code ? "/login/code" : "/login/password")
        }
        return pages.page("passkeyStep", title: "Use your passkey", await continueTo(options.returnTo, [
            "username": options.username, "csrf": Web.flowCSRF(request), "notification": options.notification,
            "verificationCode": options.verificationCode, "otherWays": options.notification || options.verificationCode,
        ]))
    }

    func submitPassword(_ request: Request, _ context: TandemRequestContext) async throws -> Response {
        let token = Web.cookie(Web.flowCookie, request)
        let form = try await Web.form(request)
        do {
            try Web.checkFlowCSRF(form, request)
        } catch let error as TandemError {
            // A page that offers no password has no password form to take a token from: say what
            // the sign-in needs rather than "the form has expired" (decision 0033). Nothing is written.
            if let needed = try? await signIn.passwordRefusal(token: token) {
                return try await passwordPage(request, error: needed, status: .forbidden)
            }
            throw error
        }
        do {
            let flow = try await signIn.submitPassword(token: token, password: form["password"] ?? "",
                                                       context: await challengeContext(request, context),
                                                       rememberedBrowser: Web.cookie(Web.rememberCookie, request))
            switch flow.stage {
            case .push: return Web.redirect("/login/approve")
            case .code: return Web.redirect("/login/code")
            case .passkey: return Web.redirect("/login/verify-passkey")
            default: return Web.redirect("/login/complete")
            }
        } catch let error as TandemError where [.unauthorized, .tooManyRequests, .forbidden].contains(error.code) {
            // Wrong, or not checked now (throttled, decision 0013): the page says which, never a 5xx.
            guard (try? await signIn.flow(token: token)) != nil else { throw error }
            return try await passwordPage(request, error: error.message, status: Self.status(error.code))
        }
    }

    func events(_ request: Request) async throws -> Response {
        let token = Web.cookie(Web.flowCookie, request)
        _ = try await signIn.status(token: token)
        let signIn = self.signIn
        return Web.eventStream {
            let status = try await signIn.status(token: token, wait: 20)
            return (Web.json(status), status.stage != .push || status.state != .pending)
        }
    }

    /// `nudgeHandled`: the registration campaign's prompt was answered in this request (decision
    /// 0034); `destination` replaces where the browser goes next (the prompt's "Next").
    func complete(_ request: Request, nudgeHandled: Bool = false, destination: String? = nil) async throws -> Response {
        if !nudgeHandled, try await signIn.registrationNudge(token: Web.cookie(Web.flowCookie, request)) != nil {
            return Web.redirect("/login/keep-secure")
        }
        let completed = try await signIn.completeSignIn(token: Web.cookie(Web.flowCookie, request))
        if completed.registrationOnly {
            // The registration interrupt: a cookie only security info's "add the first method" accepts.
            var response = Web.redirect("/mysecurityinfo")
            Web.setCookie(&response, name: Web.sessionCookie, value: completed.sessionToken, maxAge: 900, secure: secureCookies)
            Web.clearCookie(&response, name: Web.flowCookie, secure: secureCookies)
            return response
        }
        if completed.strengthEnrolment {
            // The strength interrupt (decision 0027): no session; add a passkey in this flow, then use it.
            return Web.redirect("/login/enrol")
        }
        var response = Web.redirect(destination ?? (completed.registrationRequired ? "/mysecurityinfo" : (completed.returnTo ?? "/")))
        Web.setCookie(&response, name: Web.sessionCookie, value: completed.sessionToken, maxAge: Int(settings.sessionLifetime), secure: secureCookies)
        Web.clearCookie(&response, name: Web.flowCookie, secure: secureCookies)
        if let remember = completed.rememberToken {
            Web.setCookie(&response, name: Web.rememberCookie, value: remember, maxAge: completed.rememberDays * 86_400, secure: secureCookies)
        }
        if let method = completed.methodCookie {
            Web.setCookie(&response, name: Web.methodCookie, value: method, maxAge: 180 * 86_400, secure: secureCookies)
        }
        return response
    }
}
