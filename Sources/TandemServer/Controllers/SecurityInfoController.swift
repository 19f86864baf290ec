import Foundation
import Hummingbird
import TandemCore
import TandemQR
import TandemServices

/// The security-info page: the user's methods, the default sign-in method, adding and deleting
/// the authenticator. Every form is checked against the session's CSRF token.
struct SecurityInfoController: Sendable {
    let signIn: SignInService
    let registration: RegistrationService
    let security: SecurityInfoService
    let pages: PageRenderer
    let publicURL: @Sendable () -> String

    func register(on router: Router<TandemRequestContext>) {
        router.get("/mysecurityinfo") { request, _ in try await self.overview(request) }
        router.get("/mfasetup") { _, _ in Web.redirect("/mysecurityinfo") }
        router.post("/mysecurityinfo/authenticator") { request, _ in try await self.addAuthenticator(request) }
        router.post("/mysecurityinfo/devices/{id}/delete") { request, context in
            let user = try await self.signedIn(request)
            try Web.checkSessionCSRF(try await Web.form(request), request)
            try await self.security.deleteDevice(id: try context.parameters.require("id"), of: user)
            return Web.redirect("/mysecurityinfo?done=deleted")
        }
        router.post("/mysecurityinfo/default-method") { request, _ in
            let user = try await self.signedIn(request)
            let form = try await Web.form(request)
            try Web.checkSessionCSRF(form, request)
            do {
                try await self.security.setDefaultMethod(form["method"] ?? "", for: user)
            } catch let error as TandemError where error.code == .badRequest {
                return try await self.overview(request, error: error.message, status: .badRequest)
            }
            return Web.redirect("/mysecurityinfo?done=default")
        }
        router.get("/mysecurityinfo/authenticator/{id}/status") { request, context in
            let user = try await self.signedIn(request)
            let id = try context.parameters.require("id")
            return JSONResponse.make(try await self.registration.status(activationID: id, userID: user.id, waitUntil: Web.waitDeadline(request)))
        }
        router.get("/mysecurityinfo/authenticator/{id}/events") { request, context in
            let user = try await self.signedIn(request)
            let id = try context.parameters.require("id")
            _ = try await self.registration.status(activationID: id, userID: user.id)
            let registration = self.registration
            return Web.eventStream {
                let status = try await registration.status(activationID: id, userID: user.id, waitUntil: Date().addingTimeInterval(20))
                return (Web.json(status), ![.awaitingDevice, .confirming].contains(status.state))
            }
        }
    }

    func signedIn(_ request: Request) async throws -> User {
        guard let (user, _) = try await signIn.user(sessionToken: Web.cookie(Web.sessionCookie, request)) else {
            throw TandemError(.unauthorized, "Sign in first.")
        }
        return user
    }

    static let notices = ["deleted": "The sign-in method was deleted.", "default": "Your default sign-in method was changed."]

    /// Dates as people read them, in UTC.
    static func display(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM yyyy, HH:mm 'UTC'"
        return formatter.string(from: date)
    }

    func overview(_ request: Request, error: String? = nil, status: HTTPResponse.Status = .ok) async throws -> Response {
        guard let (user, _) = try await signIn.user(sessionToken: Web.cookie(Web.sessionCookie, request)) else {
            return Web.redirect("/login")
        }
        let info = try await security.overview(of: user)
        let csrf = Web.csrfToken(session: Web.cookie(Web.sessionCookie, request))
        let devices: [[String: Any]] = info.devices.enumerated().map { index, device in
            ["index": index + 1, "id": device.id, "name": device.name, "added": Self.display(device.createdAt),
             "lastUsed": device.lastUsedAt.map(Self.display) ?? "never", "phoneSignIn": device.phoneSignInKey == nil ? "off" : "on",
             "unconfirmed": device.state == .unconfirmed, "codes": info.codeDeviceIDs.contains(device.id), "csrf": csrf]
        }
        var values: [String: Any] = [
            "csrf": csrf, "devices": devices, "hasPassword": info.hasPassword,
            "passes": info.passes.map { ["until": Self.display($0.endAt)] },
            "hasDefaultChoices": !info.defaultChoices.isEmpty,
            "defaultChoices": info.defaultChoices.map { ["value": $0.rawValue, "label": $0.label, "selected": $0 == info.defaultMethod] },
        ]
        if let done = request.uri.queryParameters.get("done"), let notice = Self.notices[String(done)] { values["notice"] = notice }
        if let error { values["error"] = error }
        return pages.page("securityInfo", title: "Security info", values, status: status)
    }

    func addAuthenticator(_ request: Request) async throws -> Response {
        let user = try await signedIn(request)
        try Web.checkSessionCSRF(try await Web.form(request), request)
        let (activation, code, url) = try await registration.createActivation(for: user, publicURL: publicURL())
        if request.headers[.accept]?.contains("application/json") == true {
            return JSONResponse.make(["activationId": activation.id, "code": code, "url": url], status: .created)
        }
        var values: [String: Any] = ["url": url, "code": code, "activationId": activation.id]
        // The QR code carries the activation URL; a URL too long for it leaves the text only.
        if let qr = try? QRCode(encoding: url, errorCorrection: .medium) {
            values["qrSVG"] = qr.svg(moduleSize: 5, label: "QR code to add your account to the Authenticator app")
        }
        return pages.page("addAuthenticator", title: "Set up your Authenticator app", values)
    }
}
