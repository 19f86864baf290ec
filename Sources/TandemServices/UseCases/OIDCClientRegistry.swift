import Foundation
import TandemCore

/// What an administrator asks for when registering or changing an application.
public struct OIDCClientDraft: Sendable, Equatable {
    public var displayName: String
    public var authMethod: OIDCClient.AuthMethod
    public var redirectURIs: [String]
    /// `nil`: the defaults (authorization code and refresh token; client credentials too for a
    /// confidential client). CIBA is never a default.
    public var grantTypes: [OIDCClient.GrantType]?
    public var jwks: String?
    public var deliveryMode: OIDCClient.DeliveryMode?
    public var notificationEndpoint: String?
    /// Directory role template ids (or names) the application holds.
    public var roles: [String]
    /// The application may ask for `tandem-admin` for a signed-in user (who then consents).
    public var adminScopeEnabled: Bool
    /// How the client's ID tokens are signed.
    public var idTokenAlgorithm: OIDCClient.IDTokenAlgorithm

    public init(displayName: String, authMethod: OIDCClient.AuthMethod = .clientSecretBasic, redirectURIs: [String] = [],
                grantTypes: [OIDCClient.GrantType]? = nil, jwks: String? = nil, deliveryMode: OIDCClient.DeliveryMode? = nil,
                notificationEndpoint: String? = nil, roles: [String] = [], adminScopeEnabled: Bool = false,
                idTokenAlgorithm: OIDCClient.IDTokenAlgorithm = .es256) {
        self.displayName = displayName
        self.authMethod = authMethod
        self.redirectURIs = redirectURIs
        self.grantTypes = grantTypes
        self.jwks = jwks
        self.deliveryMode = deliveryMode
        self.notificationEndpoint = notificationEndpoint
        self.roles = roles
        self.adminScopeEnabled = adminScopeEnabled
        self.idTokenAlgorithm = idTokenAlgorithm
    }

    /// The draft of an existing client, to change a few fields.
    public init(_ client: OIDCClient) {
        self.init(displayName: client.displayName, authMethod: client.authMethod, redirectURIs: client.redirectURIs,
                  grantTypes: client.grantTypes, jwks: client.jwks, deliveryMode: client.deliveryMode,
                  notificationEndpoint: client.notificationEndpoint, roles: client.roles, adminScopeEnabled: client.adminScopeEnabled,
                  idTokenAlgorithm: client.idTokenAlgorithm)
    }
}

/// Registers, changes and removes applications and their secrets; every change is audited.
/// Used by the admin API (`/v1.0/applications`) and `tandem admin apps`.
public struct OIDCClientRegistry: Sendable {
    let env: ServiceEnvironment
    let settings: OIDCSettings

    public init(env: ServiceEnvironment, settings: OIDCSettings = OIDCSettings()) {
        self.env = env
        self.settings = settings
    }

    /// Registers an application. A client with a secret method gets its first secret, returned
    /// here once and stored only as a digest.
    public func register(_ draft: OIDCClientDraft, by actor: User?) async throws -> (client: OIDCClient, secret: String?) {
        var client = OIDCClient(id: env.random.uuid(), clientID: env.random.uuid(), displayName: "", authMethod: draft.authMethod,
                                grantTypes: [], createdAt: env.clock.now())
        try apply(draft, to: &client)
        var secret: String? = nil
        if client.authMethod == .clientSecretBasic || client.authMethod == .clientSecretPost {
            let made = makeSecret(displayName: "Initial secret")
            client.secrets = [made.secret]
            secret = made.text
        }
        let stored = client
        try await inTransaction { registry in
            try await registry.env.storage.insertOIDCClient(stored)
            try await Auditor(env: registry.env).record("ApplicationManagement", "Add application", "Add", actor: actor,
                                                        targetType: "Application", targetID: stored.id, targetName: stored.displayName)
            if stored.adminScopeEnabled { try await registry.auditAdminScope(stored, old: false, by: actor) }
        }
        return (client, secret)
    }

    /// Changes an application's settings (not its ids or secrets).
    public func update(_ client: OIDCClient, with draft: OIDCClientDraft, by actor: User?) async throws -> OIDCClient {
        var updated = client
        try apply(draft, to: &updated)
        if !updated.authMethod.usesSecret { updated.secrets = [] }
        let stored = updated
        try await inTransaction { registry in
            try await registry.env.storage.updateOIDCClient(stored)
            try await Auditor(env: registry.env).record("ApplicationManagement", "Update application", "Update", actor: actor,
                                                        targetType: "Application", targetID: client.id, targetName: stored.displayName)
            if stored.adminScopeEnabled != client.adminScopeEnabled {
                try await registry.auditAdminScope(stored, old: client.adminScopeEnabled, by: actor)
            }
        }
        return updated
    }

    /// The admin-scope switch gets its own audit entry, with old and new value.
    func auditAdminScope(_ client: OIDCClient, old: Bool, by actor: User?) async throws {
        try await Auditor(env: env).record("ApplicationManagement", "Update application – admin API scope", "Update", actor: actor,
                                           targetType: "Application", targetID: client.id, targetName: client.displayName,
                                           property: "tandemAdminScopeEnabled", old: String(old), new: String(client.adminScopeEnabled))
    }

    public func delete(_ client: OIDCClient, by actor: User?) async throws {
        try await inTransaction { registry in
            guard try await registry.env.storage.deleteOIDCClient(id: client.id) else { throw TandemError(.notFound, "No such application.") }
            try await Auditor(env: registry.env).record("ApplicationManagement", "Delete application", "Delete", actor: actor,
                                                        targetType: "Application", targetID: client.id, targetName: client.displayName)
        }
    }

    /// Runs `body` with a registry over one storage transaction (decision 0018): a change and its
    /// audit entries commit together or not at all.
    func inTransaction<T: Sendable>(_ body: @Sendable (OIDCClientRegistry) async throws -> T) async throws -> T {
        let settings = settings
        return try await env.transaction { env in try await body(OIDCClientRegistry(env: env, settings: settings)) }
    }

    /// The stored client, read again inside the transaction, so two secret changes at once do not undo each other.
    func current(_ client: OIDCClient) async throws -> OIDCClient {
        guard let stored = try await env.storage.oidcClient(id: client.id) else { throw TandemError(.notFound, "No such application.") }
        return stored
    }

    /// Adds a secret (Graph's `addPassword`); the text is returned once.
    public func addSecret(to client: OIDCClient, displayName: String?, by actor: User?) async throws -> (secret: OIDCClient.Secret, text: String) {
        guard client.authMethod.usesSecret else {
            throw TandemError(.badRequest, "This application authenticates with \(client.authMethod.rawValue); it takes no secret.")
        }
        let made = makeSecret(displayName: displayName)
        try await inTransaction { registry in
            var updated = try await registry.current(client)
            updated.secrets.append(made.secret)
            try await registry.env.storage.updateOIDCClient(updated)
            try await Auditor(env: registry.env).record("ApplicationManagement", "Update application – Certificates and secrets management", "Update",
                                                        actor: actor, targetType: "Application", targetID: client.id, targetName: client.displayName,
                                                        property: "passwordCredentials", new: made.secret.keyID)
        }
        return made
    }

    /// Removes a secret (Graph's `removePassword`).
    public func removeSecret(keyID: String, from client: OIDCClient, by actor: User?) async throws {
        try await inTransaction { registry in
            let stored = try await registry.current(client)
            var updated = stored
            updated.secrets.removeAll { $0.keyID.lowercased() == keyID.lowercased() }
            guard updated.secrets.count < stored.secrets.count else { throw TandemError(.notFound, "No secret with keyId \(keyID).") }
            try await registry.env.storage.updateOIDCClient(updated)
            try await Auditor(env: registry.env).record("ApplicationManagement", "Update application – Certificates and secrets management", "Update",
                                                        actor: actor, targetType: "Application", targetID: client.id, targetName: client.displayName,
                                                        property: "passwordCredentials", old: keyID)
        }
    }

    /// Finds an application by object id, client id, or (if unique) display name.
    public func find(_ key: String) async throws -> OIDCClient {
        let key = key.trimmingCharacters(in: .whitespaces)
        if let client = try await env.storage.oidcClient(id: key) { return client }
        if let client = try await env.storage.oidcClient(clientID: key) { return client }
        let named = try await env.storage.oidcClients().filter { $0.displayName.lowercased() == key.lowercased() }
        guard named.count == 1 else {
            throw TandemError(.notFound, named.isEmpty ? "No application \(key)." : "Several applications are named \(key); use the id.")
        }
        return named[0]
    }

    func makeSecret(displayName: String?) -> (secret: OIDCClient.Secret, text: String) {
        let text = env.random.pastableSecret(byteCount: 32)
        let now = env.clock.now()
        let secret = OIDCClient.Secret(keyID: env.random.uuid(), displayName: displayName, hint: String(text.prefix(3)),
                                       digest: SecretDigest.of(text), createdAt: now, expiresAt: now.addingTimeInterval(settings.secretLifetime))
        return (secret, text)
    }

    /// Checks a draft and writes it into `client`.
    func apply(_ draft: OIDCClientDraft, to client: inout OIDCClient) throws {
        let name = draft.displayName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...256).contains(name.count) else { throw TandemError(.badRequest, "displayName: 1 to 256 characters.") }
        var grants = draft.grantTypes ?? (draft.authMethod == .none
            ? [.authorizationCode, .refreshToken] : [.authorizationCode, .refreshToken, .clientCredentials])
        grants = OIDCClient.GrantType.allCases.filter(grants.contains)
        if draft.authMethod == .none, let bad = grants.first(where: { $0 == .clientCredentials || $0 == .ciba }) {
            throw TandemError(.badRequest, "A public client (no credential) cannot use the \(bad.rawValue) grant.")
        }
        for uri in draft.redirectURIs {
            guard Self.isAcceptableRedirect(uri) else {
                throw TandemError(.badRequest, "redirectUris: \(uri) is not acceptable (https, http on a loopback host, or an app's own scheme; no fragment).")
            }
        }
        if draft.authMethod == .privateKeyJWT {
            guard let jwks = draft.jwks, Self.isJWKSet(jwks) else {
                throw TandemError(.badRequest, "private_key_jwt needs the application's public keys as a JWK Set ({\"keys\":[…]}).")
            }
        }
        var mode = draft.deliveryMode
        var endpoint = draft.notificationEndpoint
        if grants.contains(.ciba) {
            mode = mode ?? .poll
            if mode == .ping {
                guard let given = endpoint, Self.isAcceptableNotificationEndpoint(given) else {
                    throw TandemError(.badRequest, "CIBA ping mode needs a backchannel client notification endpoint (https, or http on a loopback host).")
                }
            } else {
                endpoint = nil
            }
        } else {
            mode = nil
            endpoint = nil
        }
        var roles: [String] = []
        for role in draft.roles {
            guard let found = DirectoryRole.named(role) else { throw TandemError(.badRequest, "Unknown directory role \(role).") }
            if !roles.contains(found.rawValue) { roles.append(found.rawValue) }
        }
        if !roles.isEmpty && draft.authMethod == .none {
            throw TandemError(.badRequest, "A public client cannot hold directory roles.")
        }
        if draft.adminScopeEnabled && draft.authMethod == .none {
            throw TandemError(.badRequest, "tandemAdminScopeEnabled: a public client can never receive the tandem-admin scope.")
        }
        client.displayName = name
        client.authMethod = draft.authMethod
        client.redirectURIs = Array(NSOrderedSet(array: draft.redirectURIs).array as? [String] ?? draft.redirectURIs)
        client.grantTypes = grants
        client.jwks = draft.authMethod == .privateKeyJWT ? draft.jwks : nil
        client.deliveryMode = mode
        client.notificationEndpoint = endpoint
        client.roles = roles
        client.adminScopeEnabled = draft.adminScopeEnabled
        client.idTokenAlgorithm = draft.idTokenAlgorithm
    }

    static let loopbackHosts: Set<String> = ["localhost", "127.0.0.1", "[::1]", "::1"]

    /// https anywhere; http only on a loopback host (RFC 8252 §7.3); a private-use scheme with a
    /// dot (RFC 8252 §7.1). Never a fragment.
    public static func isAcceptableRedirect(_ uri: String) -> Bool {
        guard (1...2000).contains(uri.utf8.count), !uri.contains("#"), !uri.contains(where: { $0.isWhitespace }),
              let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased()
        else { return false }
        switch scheme {
        case "https": return !(components.host ?? "").isEmpty
        case "http": return loopbackHosts.contains((components.host ?? "").lowercased())
        default: return scheme.contains(".")
        }
    }

    /// CIBA §4: the notification endpoint MUST be https; http is accepted on a loopback host for development.
    public static func isAcceptableNotificationEndpoint(_ uri: String) -> Bool {
        guard let components = URLComponents(string: uri), let scheme = components.scheme?.lowercased(),
              let host = components.host?.lowercased(), !host.isEmpty, components.fragment == nil
        else { return false }
        return scheme == "https" || (scheme == "http" && loopbackHosts.contains(host))
    }

    static func isJWKSet(_ text: String) -> Bool {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
              let keys = object["keys"] as? [[String: Any]], !keys.isEmpty
        else { return false }
        return keys.allSatisfy { $0["kty"] is String && $0["d"] == nil }
    }
}

extension OIDCClient.AuthMethod {
    /// Whether the method carries a client secret.
    public var usesSecret: Bool { self == .clientSecretBasic || self == .clientSecretPost }
}
