import Foundation
import Hummingbird
import TandemCore
import TandemQR
import TandemServices

/// The security-info page: the user's methods, and adding the authenticator.
struct SecurityInfoController: Sendable {
    let signIn: SignInService
    let registration: RegistrationService
    let directory: DirectoryService
    let pages: PageRenderer
    let publicURL: @Sendable () -> String

    func register(on router: Router<TandemRequestContext>) {
        router.get("/mysecurityinfo") { request, _ in try await self.overview(request) }
        router.get("/mfasetup") { _, _ in Web.redirect("/mysecurityinfo") }
        router.post("/mysecurityinfo/authenticator") { request, _ in try await self.addAuthenticator(request) }
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

    func overview(_ request: Request) async throws -> Response {
        guard let (user, _) = try await signIn.user(sessionToken: Web.cookie(Web.sessionCookie, request)) else {
            return Web.redirect("/login")
        }
        let formatter = ISO8601DateFormatter()
        let devices: [[String: Any]] = try await directory.devices(of: user).map { device in
            var row: [String: Any] = ["name": device.name, "added": formatter.string(from: device.createdAt),
                                      "phoneSignIn": device.phoneSignInKey == nil ? "off" : "on",
                                      "unconfirmed": device.state == .unconfirmed]
            if let used = device.lastUsedAt { row["lastUsed"] = formatter.string(from: used) }
            return row
        }
        return pages.page("securityInfo", title: "Security info", ["devices": devices, "hasPassword": user.passwordHash != nil])
    }

    func addAuthenticator(_ request: Request) async throws -> Response {
        let user = try await signedIn(request)
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
