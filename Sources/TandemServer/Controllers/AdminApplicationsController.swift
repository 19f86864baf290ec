import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// `/admin/applications` (decision 0021): the list for every reader; registration, secrets and
/// deletion for a Global Administrator (`AdminAccess.directoryAdmins`, the rule of
/// `POST /v1.0/applications`). The form is turned into the Graph body and read by
/// `OIDCApplicationsController.draft`, and every change goes through `OIDCClientRegistry`
/// (validation and audit), so the page and Graph cannot drift apart. A new secret is shown once,
/// on the response to the POST (`Cache-Control: no-store`).
struct AdminApplicationsController: Sendable {
    let env: ServiceEnvironment
    let portal: AdminPortal
    let registry: OIDCClientRegistry

    func register(on router: Router<TandemRequestContext>) {
        router.get("/admin/applications") { request, _ in
            let visitor = try await self.portal.visitor(request)
            let saved = request.uri.queryParameters.get("saved").flatMap {
                ["deleted": "The application was deleted.", "removed": "The secret was removed.", "registered": "The application was registered."][String($0)]
            }
            return try await self.page(visitor, saved: saved)
        }
        router.post("/admin/applications") { request, _ in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.directoryAdmins)
            let form = try await self.portal.form(request, visitor)
            let uris = (form["redirectUris"] ?? "").split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            let body: [String: Any] = ["displayName": form["displayName"] ?? "", "web": ["redirectUris": uris],
                                       "isFallbackPublicClient": form["clientType"] == "public"]
            do {
                let draft = try OIDCApplicationsController.draft(body, base: OIDCClientDraft(displayName: ""))
                let (client, secret) = try await self.registry.register(draft, by: visitor.user)
                guard let secret else { return Web.redirect("/admin/applications?saved=registered") }
                return try await self.page(visitor, issued: ["name": client.displayName, "clientId": client.clientID, "secret": secret])
            } catch let error as TandemError where error.code == .badRequest {
                return try await self.page(visitor, error: error.message, status: .badRequest)
            }
        }
        router.post("/admin/applications/{id}/secrets") { request, context in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.directoryAdmins)
            let form = try await self.portal.form(request, visitor)
            let client = try await self.registry.find(try context.parameters.require("id"))
            let name = form["secretName"].map { $0.trimmingCharacters(in: .whitespaces) }.flatMap { $0.isEmpty ? nil : $0 }
            do {
                let (_, text) = try await self.registry.addSecret(to: client, displayName: name, by: visitor.user)
                return try await self.page(visitor, issued: ["name": client.displayName, "clientId": client.clientID, "secret": text])
            } catch let error as TandemError where error.code == .badRequest {
                return try await self.page(visitor, error: error.message, status: .badRequest)
            }
        }
        router.post("/admin/applications/{id}/secrets/{keyId}/remove") { request, context in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.directoryAdmins)
            let form = try await self.portal.form(request, visitor)
            let client = try await self.registry.find(try context.parameters.require("id"))
            let keyID = try context.parameters.require("keyId")
            guard let secret = client.secrets.first(where: { $0.keyID.lowercased() == keyID.lowercased() }) else {
                return try await self.page(visitor, error: "No secret with keyId \(keyID).", status: .notFound)
            }
            guard form["confirm"] == "yes" else {
                return self.confirm(visitor, heading: "Remove secret", action: "/admin/applications/\(client.id)/secrets/\(secret.keyID)/remove",
                                    message: "Remove the secret \(secret.hint)… of \(client.displayName)? Clients still using it can no longer sign in.",
                                    button: "Remove secret")
            }
            try await self.registry.removeSecret(keyID: secret.keyID, from: client, by: visitor.user)
            return Web.redirect("/admin/applications?saved=removed")
        }
        router.post("/admin/applications/{id}/delete") { request, context in
            let visitor = try await self.portal.visitor(request, anyOf: AdminAccess.directoryAdmins)
            let form = try await self.portal.form(request, visitor)
            let client = try await self.registry.find(try context.parameters.require("id"))
            guard form["confirm"] == "yes" else {
                return self.confirm(visitor, heading: "Delete application", action: "/admin/applications/\(client.id)/delete",
                                    message: "Delete \(client.displayName)? It can no longer sign users in, and its secrets stop working.",
                                    button: "Delete")
            }
            try await self.registry.delete(client, by: visitor.user)
            return Web.redirect("/admin/applications?saved=deleted")
        }
    }

    func confirm(_ visitor: AdminPortal.Visitor, heading: String, action: String, message: String, button: String) -> Response {
        portal.page("confirm", title: heading, section: .applications, visitor, [
            "heading": heading, "action": action, "button": button, "message": message,
            "back": "/admin/applications", "fields": [[String: String]]()])
    }

    func page(_ visitor: AdminPortal.Visitor, saved: String? = nil, error: String? = nil, issued: [String: String]? = nil,
              status: HTTPResponse.Status = .ok) async throws -> Response {
        let mayManage = visitor.holds(AdminAccess.directoryAdmins)
        let apps: [[String: Any]] = try await env.storage.oidcClients().sorted { $0.displayName < $1.displayName }.map { client in
            ["id": client.id, "name": client.displayName, "clientId": client.clientID,
             "type": client.isPublic ? "Public client" : "Confidential client", "redirects": client.redirectURIs,
             "takesSecret": client.authMethod.usesSecret && mayManage, "mayManage": mayManage, "csrf": visitor.csrf,
             "secrets": client.secrets.map { secret in
                 ["appId": client.id, "keyId": secret.keyID, "hint": secret.hint, "label": secret.displayName ?? "",
                  "expires": PageDate.values(secret.expiresAt), "mayManage": mayManage, "csrf": visitor.csrf] as [String: Any]
             }]
        }
        var values: [String: Any] = ["apps": apps, "mayManage": mayManage]
        if let saved { values["saved"] = saved }
        if let error { values["error"] = error }
        if let issued { values["issued"] = issued }
        return portal.page("applications", title: "Applications", section: .applications, visitor, values, status: status)
    }
}
