import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The browser's sign-in: username → (number at once | password → number) → session.
struct SignInController: Sendable {
    let signIn: SignInService
    let pages: PageRenderer
    let settings: ServiceSettings
    let secureCookies: Bool

    func register(on router: Router<TandemRequestContext>) {
        router.get("/") { request, _ in try await self.home(request) }
        router.get("/login") { request, _ in
            // An OIDC authorization request waiting for this sign-in (`return_to`, a local path only).
            let returnTo = SignInFlow.safeReturnPath(request.uri.queryParameters.get("return_to")) ?? ""
            return self.pages.page("login", title: "Sign in", ["returnTo": returnTo])
        }
        router.post("/login") { request, context in try await self.submitUsername(request, context) }
        router.get("/login/password") { request, _ in try await self.passwordPage(request) }
        router.post("/login/password") { request, context in try await self.submitPassword(request, context) }
        router.get("/login/approve") { request, _ in try await self.approvePage(request) }
        router.get("/login/status") { request, _ in
            JSONResponse.make(try await self.signIn.status(token: Web.cookie(Web.flowCookie, request), waitUntil: Web.waitDeadline(request)))
        }
        router.get("/login/events") { request, _ in try await self.events(request) }
        router.post("/login/resend") { request, context in
            _ = try await self.signIn.resend(token: Web.cookie(Web.flowCookie, request),
                                             context: Web.challengeContext(request, context, application: self.settings.applicationName))
            return Web.redirect("/login/approve")
        }
        router.post("/login/use-password") { request, _ in
            _ = try await self.signIn.usePassword(token: Web.cookie(Web.flowCookie, request))
            return Web.redirect("/login/password")
        }
        router.get("/login/complete") { request, _ in try await self.complete(request) }
        router.post("/logout") { request, _ in
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
            "methods": session.methods.joined(separator: ", "),
        ])
    }

    func submitUsername(_ request: Request, _ context: TandemRequestContext) async throws -> Response {
        let form = try await Web.form(request)
        let username = form["username"] ?? ""
        let started: (token: String, flow: SignInFlow)
        do {
            started = try await signIn.begin(username: username, context: Web.challengeContext(request, context, application: settings.applicationName),
                                             returnTo: form["return_to"])
        } catch let error as TandemError where error.code == .badRequest {
            return pages.page("login", title: "Sign in", ["error": error.message, "username": username,
                                                          "returnTo": SignInFlow.safeReturnPath(form["return_to"]) ?? ""], status: .badRequest)
        }
        var response = Web.redirect(started.flow.stage == .push ? "/login/approve" : "/login/password")
        Web.setCookie(&response, name: Web.flowCookie, value: started.token, maxAge: Int(settings.flowLifetime), secure: secureCookies)
        return response
    }

    func passwordPage(_ request: Request) async throws -> Response {
        let flow = try await signIn.flow(token: Web.cookie(Web.flowCookie, request))
        return pages.page("password", title: "Enter password", ["username": flow.username])
    }

    func submitPassword(_ request: Request, _ context: TandemRequestContext) async throws -> Response {
        let token = Web.cookie(Web.flowCookie, request)
        let form = try await Web.form(request)
        do {
            let flow = try await signIn.submitPassword(token: token, password: form["password"] ?? "",
                                                       context: Web.challengeContext(request, context, application: settings.applicationName),
                                                       rememberedBrowser: Web.cookie(Web.rememberCookie, request))
            return Web.redirect(flow.stage == .push ? "/login/approve" : "/login/complete")
        } catch let error as TandemError where error.code == .unauthorized {
            guard let flow = try? await signIn.flow(token: token) else { throw error }
            return pages.page("password", title: "Enter password", ["username": flow.username, "error": error.message], status: .unauthorized)
        }
    }

    func approvePage(_ request: Request) async throws -> Response {
        let status = try await signIn.status(token: Web.cookie(Web.flowCookie, request))
        guard status.stage == .push else { return Web.redirect("/login/password") }
        if status.state == .approved { return Web.redirect("/login/complete") }
        let statusText: String
        switch status.state {
        case .pending?: statusText = "Waiting for you to approve the request…"
        case .denied? where status.reason == .wrongNumber: statusText = "The number entered in the app did not match. Send another request to try again."
        case .denied?: statusText = "Request denied. Send another request or sign in another way."
        case .expired?: statusText = "We didn't hear from you. Send another request to try again."
        case .reported?: statusText = "The request was reported as not you."
        default: statusText = "This request is no longer active. Send another request."
        }
        return pages.page("approve", title: "Approve sign-in request", [
            "username": status.username,
            "heading": status.kind == .passwordless ? "Approve sign-in request" : "Approve sign in request",
            "number": status.number ?? "",
            "statusText": statusText,
            "passwordless": status.kind == .passwordless,
        ])
    }

    func events(_ request: Request) async throws -> Response {
        let token = Web.cookie(Web.flowCookie, request)
        _ = try await signIn.status(token: token)
        let signIn = self.signIn
        return Web.eventStream {
            let status = try await signIn.status(token: token, waitUntil: Date().addingTimeInterval(20))
            return (Web.json(status), status.stage != .push || status.state != .pending)
        }
    }

    func complete(_ request: Request) async throws -> Response {
        let completed = try await signIn.completeSignIn(token: Web.cookie(Web.flowCookie, request))
        var response = Web.redirect(completed.registrationRequired ? "/mysecurityinfo" : (completed.returnTo ?? "/"))
        Web.setCookie(&response, name: Web.sessionCookie, value: completed.sessionToken, maxAge: Int(settings.sessionLifetime), secure: secureCookies)
        Web.clearCookie(&response, name: Web.flowCookie, secure: secureCookies)
        if let remember = completed.rememberToken {
            Web.setCookie(&response, name: Web.rememberCookie, value: remember, maxAge: completed.rememberDays * 86_400, secure: secureCookies)
        }
        return response
    }
}
