import Foundation
import Hummingbird
import TandemCore
import TandemQR
import TandemServices

/// The security-info page: the user's methods, the default sign-in method, adding and deleting
/// the authenticator. Every form is checked against the session's CSRF token (the flow's in the
/// registration interrupt).
///
/// Changes need a recent multi-factor sign-in (decision 0013): otherwise the form starts a step-up
/// sign-in that comes back here. The registration interrupt (a flow at `register`, no session)
/// may only add the first method.
struct SecurityInfoController: Sendable {
    let signIn: SignInService
    let registration: RegistrationService
    let security: SecurityInfoService
    let pages: PageRenderer
    let publicURL: @Sendable () -> String
    /// The application a sign-in is for: the strength interrupt's page says "to continue to <App>".
    let applications: OIDCApplicationContext

    var secureCookies: Bool { WebSecurity.current?.secureCookies ?? false }

    /// Who is on the page: a signed-in user, or the user of the registration interrupt.
    enum Principal {
        case session(User, Session, token: String)
        case registration(User, token: String)

        var user: User {
            switch self {
            case .session(let user, _, _), .registration(let user, _): user
            }
        }
    }

    func register(on router: Router<TandemRequestContext>) {
        router.get("/mysecurityinfo") { request, _ in try await self.overview(request) }
        router.get("/mfasetup") { _, _ in Web.redirect("/mysecurityinfo") }
        router.post("/mysecurityinfo/authenticator") { request, context in try await self.addAuthenticator(request, context) }
        router.post("/mysecurityinfo/verify") { request, context in
            let (user, _, _) = try await self.signedIn(request)
            try Web.checkSessionCSRF(try await Web.form(request), request)
            return try await self.stepUp(request, context, user: user)
        }
        router.post("/mysecurityinfo/devices/{id}/delete") { request, context in
            let (user, session, _) = try await self.signedIn(request)
            try Web.checkSessionCSRF(try await Web.form(request), request)
            guard try await self.security.mayChangeMethods(session) else { return try await self.stepUp(request, context, user: user) }
            let (_, token) = try await self.security.deleteDevice(id: try context.parameters.require("id"), of: user, session: session)
            var response = Web.redirect("/mysecurityinfo?done=deleted")
            Web.setCookie(&response, name: Web.sessionCookie, value: token, maxAge: Int(self.signIn.sessionLifetime), secure: self.secureCookies)
            return response
        }
        router.post("/mysecurityinfo/default-method") { request, context in
            let (user, session, _) = try await self.signedIn(request)
            let form = try await Web.form(request)
            try Web.checkSessionCSRF(form, request)
            guard try await self.security.mayChangeMethods(session) else { return try await self.stepUp(request, context, user: user) }
            do {
                try await self.security.setDefaultMethod(form["method"] ?? "", for: user)
            } catch let error as TandemError where error.code == .badRequest {
                return try await self.overview(request, error: error.message, status: .badRequest)
            }
            return Web.redirect("/mysecurityinfo?done=default")
        }
        router.get("/mysecurityinfo/authenticator/{id}/status") { request, context in
            let user = try await self.principal(request).user
            let id = try context.parameters.require("id")
            return JSONResponse.make(try await self.registration.status(activationID: id, userID: user.id, wait: Web.waitSeconds(request)))
        }
        router.get("/mysecurityinfo/authenticator/{id}/events") { request, context in
            let user = try await self.principal(request).user
            let id = try context.parameters.require("id")
            _ = try await self.registration.status(activationID: id, userID: user.id)
            let registration = self.registration
            return Web.eventStream {
                let status = try await registration.status(activationID: id, userID: user.id, wait: 20)
                return (Web.json(status), ![.awaitingDevice, .confirming].contains(status.state))
            }
        }
        registerPasskeys(on: router)
        registerSoftwareOath(on: router)
        registerStrengthEnrolment(on: router)
    }

    func signedIn(_ request: Request) async throws -> (User, Session, String) {
        let token = Web.cookie(Web.sessionCookie, request)
        guard let (user, session) = try await signIn.user(sessionToken: token) else {
            throw TandemError(.unauthorized, "Sign in first.")
        }
        return (user, session, token)
    }

    /// The session's user, else the registration interrupt's.
    func principal(_ request: Request) async throws -> Principal {
        let token = Web.cookie(Web.sessionCookie, request)
        if let (user, session) = try await signIn.user(sessionToken: token) { return .session(user, session, token: token) }
        if let (user, _) = try await signIn.registrationUser(sessionToken: token) { return .registration(user, token: token) }
        throw TandemError(.unauthorized, "Sign in first.")
    }

    /// Starts a step-up sign-in for the signed-in user that comes back to security info.
    func stepUp(_ request: Request, _ context: TandemRequestContext, user: User) async throws -> Response {
        let started = try await signIn.begin(username: user.userPrincipalName,
                                             context: Web.challengeContext(request, context, application: signIn.applicationName),
                                             returnTo: "/mysecurityinfo", browserMethod: Web.cookie(Web.methodCookie, request),
                                             previousFlowToken: Web.cookie(Web.flowCookie, request), stepUp: true)
        var response = Web.redirect(started.flow.stage == .push ? "/login/approve" : "/login/password")
        Web.setCookie(&response, name: Web.flowCookie, value: started.token, maxAge: Int(signIn.flowLifetime), secure: secureCookies)
        return response
    }

    static let notices = ["deleted": "The sign-in method was deleted.", "default": "Your default sign-in method was changed."]

    func overview(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let principal = try? await principal(request) else { return Web.redirect("/login") }
        guard case .session(let user, let session, let sessionToken) = principal else {
            return try await interruptPage(request, principal, error: error, status: status)
        }
        let info = try await security.overview(of: user)
        let csrf = Web.csrfToken(session: sessionToken)
        let devices: [[String: Any]] = info.devices.enumerated().map { index, device in
            ["index": index + 1, "id": device.id, "name": device.name, "added": PageDate.values(device.createdAt),
             "lastUsed": PageDate.optional(device.lastUsedAt), "phoneSignIn": device.phoneSignInKey == nil ? "off" : "on",
             "unconfirmed": device.state == .unconfirmed, "codes": info.codeDeviceIDs.contains(device.id), "csrf": csrf]
        }
        var values: [String: Any] = [
            "csrf": csrf, "devices": devices, "hasPassword": info.hasPassword,
            "passes": info.passes.map { ["until": PageDate.values($0.endAt)] },
            "hasDefaultChoices": !info.defaultChoices.isEmpty,
            "defaultChoices": info.defaultChoices.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == info.defaultMethod] },
            "needsStepUp": !(try await security.mayChangeMethods(session)),
        ]
        values.merge(try await passkeyValues(of: user, csrf: csrf)) { $1 }
        values.merge(try await softwareOathValues(of: user, csrf: csrf)) { $1 }
        values.merge(try await systemPreferredValues(of: user)) { $1 }
        values.merge(await campaignValues(request)) { $1 }
        if let done = request.uri.queryParameters.get("done"),
           let notice = Self.notices[String(done)] ?? Self.passkeyNotices[String(done)] ?? Self.softwareOathNotices[String(done)] { values["notice"] = notice }
        if let lock = try await security.lockNotice(for: user) { values["lockNotice"] = lock }
        if let error { values["error"] = error }
        return pages.page("securityInfo", title: "Security info", values, status: status)
    }

    /// The registration interrupt: the first method only, or why it can't be set up here. Once a
    /// method is active the interrupt ends and the browser signs in again with it.
    func interruptPage(_ request: Request, _ principal: Principal, error: String?, status: HTTPResponse.Status) async throws -> Response {
        guard case .registration(let user, let token) = principal else { return Web.redirect("/mysecurityinfo") }
        if try await signIn.hasUsableSecondFactor(user) {
            try await signIn.endRegistration(sessionToken: token)
            var response = pages.message(heading: "You're all set", message: "Your Authenticator app is set up. Sign in again with it to continue.",
                                         link: "/login", linkText: "Sign in")
            Web.clearCookie(&response, name: Web.sessionCookie, secure: secureCookies)
            return response
        }
        var values: [String: Any] = ["csrf": Web.csrfToken(session: token), "username": user.userPrincipalName,
                                     "mayRegister": try await security.mayAddFirstMethod(user)]
        if let error { values["error"] = error }
        return pages.page("registrationInterrupt", title: "More information required", values, status: status)
    }

    func addAuthenticator(_ request: Request, _ context: TandemRequestContext) async throws -> Response {
        let principal = try await principal(request)
        let form = try await Web.form(request)
        let user = principal.user
        switch principal {
        case .session(_, let session, _):
            try Web.checkSessionCSRF(form, request)
            let strong = try await security.mayChangeMethods(session)
            let first = try await security.mayAddFirstMethod(user)
            guard strong || first else { return try await stepUp(request, context, user: user) }
        case .registration:
            try Web.checkSessionCSRF(form, request)
            guard try await security.mayAddFirstMethod(user) else {
                throw TandemError(.forbidden, "Ask your administrator for a Temporary Access Pass to set up your first sign-in method.")
            }
        }
        let (activation, code, url) = try await registration.createActivation(for: user, publicURL: publicURL())
        if request.headers[.accept]?.contains("application/json") == true {
            return JSONResponse.make(["activationId": activation.id, "code": code, "url": url], status: .created)
        }
        var values: [String: Any] = ["url": url, "code": code, "activationId": activation.id]
        // "I want to use a different authenticator app" (decision 0031), where codes are allowed.
        if case .session(_, _, let token) = principal, try await softwareOath.mayRegister(user) {
            values["otherAppCSRF"] = Web.csrfToken(session: token)
        }
        // The QR code carries the activation URL; a URL too long for it leaves the text only.
        if let qr = try? QRCode(encoding: url, errorCorrection: .medium) {
            values["qrSVG"] = qr.svg(moduleSize: 5, label: "QR code to add your account to the Authenticator app")
        }
        return pages.page("addAuthenticator", title: "Set up your Authenticator app", values)
    }
}
