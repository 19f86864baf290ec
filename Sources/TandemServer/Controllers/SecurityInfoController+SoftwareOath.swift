import Foundation
import Hummingbird
import TandemCore
import TandemQR
import TandemServices

/// "Add sign-in method: Authenticator app → I want to use a different authenticator app"
/// (decision 0031): a form posts for a new secret, the page shows its `otpauth://` QR code and
/// base32 text once, and a second form posts the app's first code. Both need the session's CSRF
/// token and a recent strong sign-in (otherwise the step-up starts); the pending secret stays on
/// the server, named in the form by the pending method's id.
extension SecurityInfoController {
    static let softwareOathNotices = ["softwareOathAdded": "Your authenticator app was added.",
                                      "softwareOathDeleted": "The authenticator app was deleted."]

    var softwareOath: SoftwareOathService { security.softwareOath }

    func registerSoftwareOath(on router: Router<TandemRequestContext>) {
        router.post("/mysecurityinfo/software-oath") { request, context in
            let (user, session, token) = try await self.signedIn(request)
            try Web.checkSessionCSRF(try await Web.form(request), request)
            guard try await self.security.mayChangeMethods(session) else { return try await self.stepUp(request, context, user: user) }
            let enrolment = try await self.softwareOath.begin(for: user, session: session)
            var values: [String: Any] = [
                "csrf": Web.csrfToken(session: token), "pendingID": enrolment.pendingID, "showSecret": true,
                "secret": enrolment.secret, "keyURI": enrolment.keyURI, "account": user.userPrincipalName,
                "expires": PageDate.values(enrolment.expiresAt),
            ]
            if let qr = try? QRCode(encoding: enrolment.keyURI, errorCorrection: .medium) {
                values["qrSVG"] = qr.svg(moduleSize: 4, label: "QR code to add your account to an authenticator app")
            }
            return self.pages.page("addSoftwareOath", title: "Set up your authenticator app", values)
        }
        router.post("/mysecurityinfo/software-oath/verify") { request, context in
            let (user, session, token) = try await self.signedIn(request)
            let form = try await Web.form(request)
            try Web.checkSessionCSRF(form, request)
            guard try await self.security.mayChangeMethods(session) else { return try await self.stepUp(request, context, user: user) }
            let pendingID = form["pending"] ?? ""
            do {
                let (_, newToken) = try await self.softwareOath.finish(pendingID: pendingID, code: form["code"] ?? "", for: user, session: session)
                var response = Web.redirect("/mysecurityinfo?done=softwareOathAdded")
                Web.setCookie(&response, name: Web.sessionCookie, value: newToken, maxAge: Int(self.signIn.sessionLifetime), secure: self.secureCookies)
                return response
            } catch let error as TandemError where error.code == .badRequest {
                // The secret is not shown again: a wrong code may be retried until the pending method expires.
                return self.pages.page("addSoftwareOath", title: "Set up your authenticator app",
                                       ["csrf": Web.csrfToken(session: token), "pendingID": pendingID, "error": error.message], status: .badRequest)
            }
        }
        router.post("/mysecurityinfo/software-oath/{id}/delete") { request, context in
            let (user, session, _) = try await self.signedIn(request)
            try Web.checkSessionCSRF(try await Web.form(request), request)
            guard try await self.security.mayChangeMethods(session) else { return try await self.stepUp(request, context, user: user) }
            let (_, token) = try await self.softwareOath.delete(id: try context.parameters.require("id"), of: user, session: session)
            var response = Web.redirect("/mysecurityinfo?done=softwareOathDeleted")
            Web.setCookie(&response, name: Web.sessionCookie, value: token, maxAge: Int(self.signIn.sessionLifetime), secure: self.secureCookies)
            return response
        }
    }

    /// The page's list of third-party apps.
    func softwareOathValues(of user: User, csrf: String) async throws -> [String: Any] {
        ["softwareOath": try await softwareOath.methods(of: user).enumerated().map { index, method -> [String: Any] in
            ["index": index + 1, "id": method.id, "added": PageDate.values(method.createdAt),
             "lastUsed": PageDate.optional(method.lastUsedAt), "csrf": csrf]
        }]
    }
}
