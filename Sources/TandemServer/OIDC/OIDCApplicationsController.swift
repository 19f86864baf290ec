import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// `/v1.0/applications`: client registrations in Graph's `application` shape (`id`, `appId`,
/// `displayName`, `web.redirectUris`, `isFallbackPublicClient`, `passwordCredentials`,
/// `addPassword`, `removePassword`), with Tandem's OpenID Connect settings as `tandem…` extension
/// properties. Reading needs any directory role; changing needs Global Administrator.
struct OIDCApplicationsController: Sendable {
    let registry: OIDCClientRegistry
    let storage: any TandemStorage
    let publicURL: @Sendable () -> String
    let actor: @Sendable (Request, [DirectoryRole]) async throws -> User

    static let writable: Set<String> = [
        "displayName", "web", "publicClient", "spa", "isFallbackPublicClient", "tandemTokenEndpointAuthMethod", "tandemGrantTypes",
        "tandemJwks", "tandemBackchannelTokenDeliveryMode", "tandemBackchannelClientNotificationEndpoint", "tandemDirectoryRoles",
        "tandemAdminScopeEnabled", "tandemIdTokenSignedResponseAlg",
    ]

    func register(on router: Router<TandemRequestContext>) {
        let v1 = router.group("v1.0")
        v1.get("applications") { request, _ in
            _ = try await self.actor(request, AdminAccess.readers)
            let clients = try await self.storage.oidcClients()
            return GraphJSON.response(["@odata.context": "\(self.publicURL())/v1.0/$metadata#applications", "value": clients.map(Self.object)])
        }
        v1.post("applications") { request, _ in
            let caller = try await self.actor(request, AdminAccess.directoryAdmins)
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, Self.writable, type: "microsoft.graph.application")
            guard body["displayName"] != nil else { throw TandemError(.badRequest, "displayName: the property is required.") }
            let draft = try Self.draft(body, base: OIDCClientDraft(displayName: ""))
            let (client, secret) = try await self.registry.register(draft, by: caller)
            var object = Self.object(client)
            if let secret, var credentials = object["passwordCredentials"] as? [[String: Any]], !credentials.isEmpty {
                credentials[0]["secretText"] = secret
                object["passwordCredentials"] = credentials
            }
            object["@odata.context"] = "\(self.publicURL())/v1.0/$metadata#applications/$entity"
            return GraphJSON.response(object, status: .created)
        }
        v1.get("applications/{id}") { request, context in
            _ = try await self.actor(request, AdminAccess.readers)
            return GraphJSON.response(Self.object(try await self.registry.find(try context.parameters.require("id"))))
        }
        v1.patch("applications/{id}") { request, context in
            let caller = try await self.actor(request, AdminAccess.directoryAdmins)
            let client = try await self.registry.find(try context.parameters.require("id"))
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, Self.writable, type: "microsoft.graph.application")
            _ = try await self.registry.update(client, with: try Self.draft(body, base: OIDCClientDraft(client)), by: caller)
            return GraphJSON.noContent()
        }
        v1.delete("applications/{id}") { request, context in
            let caller = try await self.actor(request, AdminAccess.directoryAdmins)
            try await self.registry.delete(try await self.registry.find(try context.parameters.require("id")), by: caller)
            return GraphJSON.noContent()
        }
        v1.post("applications/{id}/addPassword") { request, context in
            let caller = try await self.actor(request, AdminAccess.directoryAdmins)
            let client = try await self.registry.find(try context.parameters.require("id"))
            let body = (try? await GraphJSON.object(request)) ?? [:]
            try GraphJSON.onlyKnown(body, ["passwordCredential"], type: "microsoft.graph.application.addPassword")
            let credential = try body["passwordCredential"].map { try GraphJSON.object($0, "passwordCredential") } ?? [:]
            let name = try GraphJSON.optionalString(credential["displayName"], "passwordCredential.displayName")
            let (secret, text) = try await self.registry.addSecret(to: client, displayName: name, by: caller)
            var object = Self.secret(secret)
            object["secretText"] = text
            object["@odata.context"] = "\(self.publicURL())/v1.0/$metadata#microsoft.graph.passwordCredential"
            return GraphJSON.response(object)
        }
        v1.post("applications/{id}/removePassword") { request, context in
            let caller = try await self.actor(request, AdminAccess.directoryAdmins)
            let client = try await self.registry.find(try context.parameters.require("id"))
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["keyId"], type: "microsoft.graph.application.removePassword")
            try await self.registry.removeSecret(keyID: try GraphJSON.string(body["keyId"], "keyId"), from: client, by: caller)
            return GraphJSON.noContent()
        }
    }

    /// The Graph object of a registration (never a secret's text).
    static func object(_ client: OIDCClient) -> [String: Any] {
        var object: [String: Any] = [
            "id": client.id, "appId": client.clientID, "displayName": client.displayName,
            "createdDateTime": GraphJSON.date(client.createdAt),
            "isFallbackPublicClient": client.isPublic,
            "web": ["redirectUris": client.redirectURIs],
            "passwordCredentials": client.secrets.map(secret),
            "tandemTokenEndpointAuthMethod": client.authMethod.rawValue,
            "tandemGrantTypes": client.grantTypes.map(\.rawValue),
            "tandemDirectoryRoles": client.roles,
            "tandemAdminScopeEnabled": client.adminScopeEnabled,
            "tandemIdTokenSignedResponseAlg": client.idTokenAlgorithm.rawValue,
            "tandemBackchannelTokenDeliveryMode": client.deliveryMode?.rawValue ?? NSNull(),
            "tandemBackchannelClientNotificationEndpoint": client.notificationEndpoint ?? NSNull(),
        ]
        object["tandemJwks"] = client.jwks.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } ?? NSNull()
        return object
    }

    static func secret(_ secret: OIDCClient.Secret) -> [String: Any] {
        ["keyId": secret.keyID, "displayName": secret.displayName ?? NSNull(), "hint": secret.hint,
         "startDateTime": GraphJSON.date(secret.createdAt), "endDateTime": GraphJSON.date(secret.expiresAt), "secretText": NSNull()]
    }

    /// Applies a Graph body to a draft; every field is checked and named in the error.
    static func draft(_ body: [String: Any], base: OIDCClientDraft) throws -> OIDCClientDraft {
        var draft = base
        if let value = body["displayName"] { draft.displayName = try GraphJSON.string(value, "displayName") }
        var uris: [String]? = nil
        for platform in ["web", "publicClient", "spa"] {
            guard let value = body[platform] else { continue }
            let object = try GraphJSON.object(value, platform)
            try GraphJSON.onlyKnown(object, ["redirectUris"], type: "microsoft.graph.\(platform)Application", path: platform + ".")
            let list = try GraphJSON.array(object["redirectUris"] ?? [], "\(platform).redirectUris").enumerated().map {
                try GraphJSON.string($1, "\(platform).redirectUris[\($0)]")
            }
            uris = (uris ?? []) + list
        }
        if let uris { draft.redirectURIs = uris }
        if let value = body["isFallbackPublicClient"] {
            let isPublic = try GraphJSON.bool(value, "isFallbackPublicClient")
            if isPublic { draft.authMethod = .none } else if draft.authMethod == .none { draft.authMethod = .clientSecretBasic }
        }
        if let value = body["tandemTokenEndpointAuthMethod"] {
            draft.authMethod = try GraphJSON.enumValue(value, "tandemTokenEndpointAuthMethod", as: OIDCClient.AuthMethod.self)
        }
        if let value = body["tandemGrantTypes"] {
            draft.grantTypes = try GraphJSON.array(value, "tandemGrantTypes").enumerated().map {
                try GraphJSON.enumValue($1, "tandemGrantTypes[\($0)]", as: OIDCClient.GrantType.self)
            }
        }
        if let value = body["tandemJwks"] {
            if value is NSNull { draft.jwks = nil } else {
                let object = try GraphJSON.object(value, "tandemJwks")
                draft.jwks = String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]), as: UTF8.self)
            }
        }
        if let value = body["tandemBackchannelTokenDeliveryMode"] {
            draft.deliveryMode = value is NSNull ? nil
                : try GraphJSON.enumValue(value, "tandemBackchannelTokenDeliveryMode", as: OIDCClient.DeliveryMode.self)
        }
        if let value = body["tandemBackchannelClientNotificationEndpoint"] {
            draft.notificationEndpoint = try GraphJSON.optionalString(value, "tandemBackchannelClientNotificationEndpoint")
        }
        if let value = body["tandemAdminScopeEnabled"] {
            draft.adminScopeEnabled = try GraphJSON.bool(value, "tandemAdminScopeEnabled")
        }
        if let value = body["tandemIdTokenSignedResponseAlg"] {
            draft.idTokenAlgorithm = try GraphJSON.enumValue(value, "tandemIdTokenSignedResponseAlg", as: OIDCClient.IDTokenAlgorithm.self)
        }
        if let value = body["tandemDirectoryRoles"] {
            draft.roles = try GraphJSON.array(value, "tandemDirectoryRoles").enumerated().map { try GraphJSON.string($1, "tandemDirectoryRoles[\($0)]") }
        }
        return draft
    }
}

/// What `tandem admin apps` prints: the same Graph object as `/v1.0/applications`.
public enum OIDCApplicationJSON {
    /// The registration as pretty-printed Graph JSON; `secret` (just made) goes in `passwordCredentials[0].secretText`.
    public static func render(_ client: OIDCClient, secret: String? = nil) -> String {
        var object = OIDCApplicationsController.object(client)
        if let secret, var credentials = object["passwordCredentials"] as? [[String: Any]], !credentials.isEmpty {
            credentials[0]["secretText"] = secret
            object["passwordCredentials"] = credentials
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
