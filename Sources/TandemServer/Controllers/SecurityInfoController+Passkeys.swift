import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Passkeys on the security-info page (decision 0020): "Add sign-in method: Passkey" runs
/// `navigator.credentials.create()` in `/static/passkey-register.js` against two JSON endpoints,
/// and each passkey has a delete form. Every call needs the session's CSRF token and a recent
/// strong sign-in (the step-up); registration and deletion are audited and end the user's other
/// sessions.
extension SecurityInfoController {
    /// The JSON bodies, with the session's CSRF token beside the WebAuthn fields.
    struct PasskeyOptionsRequest: Decodable { var csrf: String? }
    struct PasskeyRegistrationRequest: Decodable {
        var csrf: String?
        var challengeId: String
        var clientDataJSON: String
        var attestationObject: String
        var transports: [String]?
        var name: String?
    }
    struct PasskeyRegistered: Encodable { var id: String; var name: String; var passkeyType: String }

    static let passkeyNotices = ["passkeyAdded": "Your passkey was added.", "passkeyDeleted": "The passkey was deleted."]

    func registerPasskeys(on router: Router<TandemRequestContext>) {
        router.post("/mysecurityinfo/passkeys/options") { request, _ in
            let (user, session, _) = try await self.signedIn(request)
            let body = try await Self.decodeJSON(PasskeyOptionsRequest.self, request)
            try Web.checkCSRF(body.csrf, session: Web.cookie(Web.sessionCookie, request))
            let options = try await self.security.passkeys.beginRegistration(for: user, session: session, publicURL: self.publicURL())
            return JSONResponse.make(options)
        }
        router.post("/mysecurityinfo/passkeys") { request, _ in
            let (user, session, _) = try await self.signedIn(request)
            let body = try await Self.decodeJSON(PasskeyRegistrationRequest.self, request)
            try Web.checkCSRF(body.csrf, session: Web.cookie(Web.sessionCookie, request))
            let answer = PasskeyService.RegistrationAnswer(challengeId: body.challengeId, clientDataJSON: body.clientDataJSON,
                                                           attestationObject: body.attestationObject, transports: body.transports, name: body.name)
            let (passkey, token) = try await self.security.passkeys.finishRegistration(answer, for: user, session: session, publicURL: self.publicURL())
            var response = JSONResponse.make(PasskeyRegistered(id: passkey.id, name: passkey.name, passkeyType: passkey.passkeyType), status: .created)
            Web.setCookie(&response, name: Web.sessionCookie, value: token, maxAge: Int(self.signIn.sessionLifetime), secure: self.secureCookies)
            return response
        }
        router.post("/mysecurityinfo/passkeys/{id}/delete") { request, context in
            let (user, session, _) = try await self.signedIn(request)
            try Web.checkSessionCSRF(try await Web.form(request), request)
            guard try await self.security.mayChangeMethods(session) else { return try await self.stepUp(request, context, user: user) }
            let (_, token) = try await self.security.passkeys.delete(id: try context.parameters.require("id"), of: user, session: session)
            var response = Web.redirect("/mysecurityinfo?done=passkeyDeleted")
            Web.setCookie(&response, name: Web.sessionCookie, value: token, maxAge: Int(self.signIn.sessionLifetime), secure: self.secureCookies)
            return response
        }
    }

    /// A JSON body of at most 64 KiB; anything else is a 400 with a JSON error.
    static func decodeJSON<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        let buffer: ByteBuffer
        do { buffer = try await request.body.collect(upTo: 64 * 1024) } catch {
            throw TandemError(.badRequest, "The request body is too large.")
        }
        guard let value = try? JSONDecoder().decode(T.self, from: Data(buffer: buffer)) else {
            throw TandemError(.badRequest, "The request body is not the expected JSON.")
        }
        return value
    }

    /// The page's passkey list and the registration button's data.
    func passkeyValues(of user: User, csrf: String) async throws -> [String: Any] {
        let passkeys = try await security.passkeys.passkeys(of: user)
        return [
            "mayAddPasskey": try await security.passkeys.mayRegister(user),
            "passkeys": passkeys.enumerated().map { index, passkey -> [String: Any] in
                ["index": index + 1, "id": passkey.id, "name": passkey.name, "added": PageDate.values(passkey.createdAt),
                 "lastUsed": PageDate.optional(passkey.lastUsedAt),
                 "kind": passkey.backupEligible ? "synced" : "device-bound", "csrf": csrf]
            },
        ]
    }
}
