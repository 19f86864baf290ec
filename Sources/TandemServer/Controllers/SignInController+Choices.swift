import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The approve page with its clear outcomes, the verification-code page, and the other ways to
/// sign in (decision 0010).
extension SignInController {
    func registerChoices(on router: Router<TandemRequestContext>) {
        router.post("/login/passwordless") { request, context in
            try Web.checkFlowCSRF(try await Web.form(request), request)
            do {
                _ = try await self.signIn.usePasswordless(token: Web.cookie(Web.flowCookie, request),
                                                          context: await self.challengeContext(request, context))
            } catch let error as TandemError where [.conflict, .tooManyRequests, .locked, .forbidden].contains(error.code) {
                return try await self.passwordPage(request, error: error.message, status: Self.status(error.code))
            }
            return Web.redirect("/login/approve")
        }
        router.post("/login/choose-code") { request, _ in
            try Web.checkFlowCSRF(try await Web.form(request), request)
            _ = try await self.signIn.chooseCode(token: Web.cookie(Web.flowCookie, request))
            return Web.redirect("/login/password")
        }
        router.post("/login/use-code") { request, _ in
            try Web.checkFlowCSRF(try await Web.form(request), request)
            _ = try await self.signIn.useCode(token: Web.cookie(Web.flowCookie, request))
            return Web.redirect("/login/code")
        }
        router.post("/login/use-notification") { request, context in
            try Web.checkFlowCSRF(try await Web.form(request), request)
            do {
                _ = try await self.signIn.useNotification(token: Web.cookie(Web.flowCookie, request),
                                                          context: await self.challengeContext(request, context))
            } catch let error as TandemError where [.conflict, .tooManyRequests, .locked, .forbidden].contains(error.code) {
                return try await self.codePage(request, error: error.message, status: Self.status(error.code))
            }
            return Web.redirect("/login/approve")
        }
        router.get("/login/code") { request, _ in try await self.codePage(request) }
        router.post("/login/code") { request, context in
            let form = try await Web.form(request)
            try Web.checkFlowCSRF(form, request)
            do {
                _ = try await self.signIn.submitCode(token: Web.cookie(Web.flowCookie, request), code: form["code"] ?? "",
                                                     context: await self.challengeContext(request, context))
            } catch let error as TandemError where [.unauthorized, .locked, .forbidden, .tooManyRequests].contains(error.code) {
                guard (try? await self.signIn.flow(token: Web.cookie(Web.flowCookie, request))) != nil else { throw error }
                return try await self.codePage(request, error: error.message, status: Self.status(error.code))
            }
            return Web.redirect("/login/complete")
        }
    }

    static func status(_ code: TandemError.Code) -> HTTPResponse.Status {
        switch code {
        case .unauthorized: .unauthorized
        case .forbidden: .forbidden
        case .locked: .init(code: 423, reasonPhrase: "Locked")
        case .tooManyRequests: .tooManyRequests
        default: .conflict
        }
    }

    func codePage(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        let options = try await signIn.options(token: Web.cookie(Web.flowCookie, request))
        guard options.stage == .code else { return Web.redirect(options.stage == .push ? "/login/approve" : "/login/password") }
        var values: [String: Any] = ["username": options.username, "csrf": Web.flowCSRF(request), "notification": options.notification]
        if let error { values["error"] = error }
        return pages.page("code", title: "Enter code", await continueTo(options.returnTo, values), status: status)
    }

    /// The number while the request waits; once answered otherwise, a page that says what
    /// happened and what to do next.
    func approvePage(_ request: Request) async throws -> Response {
        let token = Web.cookie(Web.flowCookie, request)
        let status = try await signIn.status(token: token)
        guard status.stage == .push else { return Web.redirect(status.stage == .code ? "/login/code" : "/login/password") }
        if status.state == .approved { return Web.redirect("/login/complete") }
        let options = try await signIn.options(token: token)
        let passwordless = status.kind == .passwordless
        let outcome = Self.outcome(status)
        return pages.page("approve", title: outcome.heading, await continueTo(options.returnTo, [
            "username": status.username, "csrf": Web.flowCSRF(request),
            "heading": outcome.heading, "pending": status.state == .pending, "message": outcome.message,
            "outcome": outcome.kind, "number": status.number ?? "",
            "canResend": status.state == .pending || outcome.canResend,
            "passwordless": passwordless,
            "canUseCode": !passwordless && options.verificationCode && status.state != .reported,
        ]))
    }

    /// The heading, the sentence and the next steps of each state of the request.
    static func outcome(_ status: FlowStatus) -> (kind: String, heading: String, message: String, canResend: Bool) {
        switch (status.state, status.reason) {
        case (.pending?, _):
            return ("pending", status.kind == .passwordless ? "Approve sign-in request" : "Approve sign in request",
                    "Open your Authenticator app, and enter the number shown to sign in.", false)
        case (.denied?, .wrongNumber?):
            return ("wrongNumber", "The numbers didn't match",
                    "The number entered in your Authenticator app didn't match the number shown here. Send another request to try again.", true)
        case (.denied?, _):
            return ("denied", "Request denied",
                    "The sign-in request was denied in your Authenticator app. If it was you, send another request.", true)
        case (.expired?, _):
            return ("expired", "Request timed out",
                    "We didn't hear from your Authenticator app in time. Send another request to try again.", true)
        case (.reported?, _):
            return ("reported", "Request reported",
                    "You reported this sign-in request as not you. Sign-in requests to your Authenticator app are blocked for now and your administrator was told. If it was you after all, contact your administrator.", false)
        default:
            return ("withdrawn", "Request no longer active",
                    "This sign-in request was replaced by a newer one or cancelled. Send another request to try again.", true)
        }
    }
}
