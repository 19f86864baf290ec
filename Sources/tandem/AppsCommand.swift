import ArgumentParser
import Foundation
import TandemCore
import TandemServer
import TandemServices

extension Admin {
    /// `tandem admin apps …`: OpenID Connect client registrations, on the database directly (the
    /// same operations as `/v1.0/applications`).
    struct Apps: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register OpenID Connect applications (clients), their secrets, redirect URIs, grants and roles.",
            subcommands: [List.self, Add.self, Show.self, Update.self, Delete.self, AddSecret.self, RemoveSecret.self, Consents.self, RevokeConsent.self])

        /// The settings `add` and `update` share.
        struct Settings: ParsableArguments {
            @Option(name: .customLong("redirect-uri"), help: "A redirect URI, matched exactly (repeat for several).")
            var redirectURIs: [String] = []
            @Option(name: .customLong("auth-method"), help: "client_secret_basic (default), client_secret_post, private_key_jwt or none.")
            var authMethod: String?
            @Flag(name: .customLong("public"), help: "A public client (native or single-page app): no secret, PKCE S256 required.")
            var isPublic = false
            @Option(name: .customLong("grant"),
                    help: "authorization_code, refresh_token, client_credentials or ciba (repeat). Default: code and refresh; client credentials too when confidential.")
            var grants: [String] = []
            @Option(name: .customLong("ciba-mode"), help: "CIBA token delivery: poll (default) or ping.")
            var cibaMode: String?
            @Option(name: .customLong("notification-endpoint"), help: "CIBA ping mode: the client's notification endpoint.")
            var notificationEndpoint: String?
            @Option(name: .customLong("jwks-file"), help: "private_key_jwt: a file with the application's public keys (JWK Set JSON).")
            var jwksFile: String?
            @Option(name: .customLong("role"), help: "A directory role the application holds (for client credentials at the admin API; repeat).")
            var roles: [String] = []
            @Option(name: .customLong("admin-scope"),
                    help: "on | off: the application may ask for the tandem-admin scope for a signed-in user, who sees a consent screen (confidential clients only; audited).")
            var adminScope: String?
            @Option(name: .customLong("id-token-alg"), help: "ES256 (default) or RS256: how the application's ID tokens are signed.")
            var idTokenAlgorithm: String?

            var isEmpty: Bool {
                redirectURIs.isEmpty && authMethod == nil && !isPublic && grants.isEmpty && cibaMode == nil
                    && notificationEndpoint == nil && jwksFile == nil && roles.isEmpty && adminScope == nil && idTokenAlgorithm == nil
            }

            /// Writes the given options into `draft`; options not given keep the draft's values.
            func apply(to draft: inout OIDCClientDraft) throws {
                if !redirectURIs.isEmpty { draft.redirectURIs = redirectURIs }
                if isPublic { draft.authMethod = .none }
                if let authMethod {
                    guard let method = OIDCClient.AuthMethod(rawValue: authMethod) else { throw TandemError(.badRequest, "unknown --auth-method \(authMethod)") }
                    if isPublic && method != .none { throw TandemError(.badRequest, "--public takes no --auth-method") }
                    draft.authMethod = method
                }
                if !grants.isEmpty {
                    draft.grantTypes = try grants.map { name in
                        guard let grant = name == "ciba" ? .ciba : OIDCClient.GrantType(rawValue: name) else {
                            throw TandemError(.badRequest, "unknown --grant \(name)")
                        }
                        return grant
                    }
                }
                if let cibaMode {
                    guard let mode = OIDCClient.DeliveryMode(rawValue: cibaMode) else { throw TandemError(.badRequest, "--ciba-mode takes poll or ping") }
                    draft.deliveryMode = mode
                }
                if let notificationEndpoint { draft.notificationEndpoint = notificationEndpoint }
                if let jwksFile {
                    guard let data = FileManager.default.contents(atPath: jwksFile) else { throw TandemError(.badRequest, "cannot read \(jwksFile)") }
                    draft.jwks = String(decoding: data, as: UTF8.self)
                }
                if !roles.isEmpty { draft.roles = roles }
                switch adminScope {
                case nil: break
                case "on": draft.adminScopeEnabled = true
                case "off": draft.adminScopeEnabled = false
                default: throw TandemError(.badRequest, "--admin-scope takes on or off")
                }
                if let idTokenAlgorithm {
                    guard let algorithm = OIDCClient.IDTokenAlgorithm(rawValue: idTokenAlgorithm.uppercased()) else {
                        throw TandemError(.badRequest, "--id-token-alg takes ES256 or RS256")
                    }
                    draft.idTokenAlgorithm = algorithm
                }
            }
        }

        static func registry(_ env: ServiceEnvironment) -> OIDCClientRegistry { OIDCClientRegistry(env: env) }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the applications.")
            @OptionGroup var db: DatabaseOptions

            func run() async throws {
                try await Admin.run(db) { env in
                    let clients = try await env.storage.oidcClients()
                    if clients.isEmpty { print("no applications") }
                    for client in clients {
                        print("\(client.clientID)  \(client.displayName)  \(client.authMethod.rawValue)  \(client.grantTypes.map(\.rawValue).joined(separator: ","))")
                    }
                }
            }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Register an application; prints its client_id and, once, its secret.")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "Display name.") var name: String
            @OptionGroup var settings: Settings
            @Flag(help: "Print the application as Graph JSON (the secret in passwordCredentials[0].secretText).") var json = false

            func run() async throws {
                try await Admin.run(db) { env in
                    var draft = OIDCClientDraft(displayName: name)
                    try settings.apply(to: &draft)
                    let (client, secret) = try await Apps.registry(env).register(draft, by: nil)
                    if json {
                        print(OIDCApplicationJSON.render(client, secret: secret))
                        return
                    }
                    print("registered \(client.displayName)")
                    print("  client_id: \(client.clientID)")
                    if let secret { print("  client_secret: \(secret)   (shown only this once)") }
                }
            }
        }

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Show an application as Graph JSON.")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "client_id, object id or display name.") var app: String

            func run() async throws {
                try await Admin.run(db) { env in print(OIDCApplicationJSON.render(try await Apps.registry(env).find(app))) }
            }
        }

        struct Update: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Change an application's settings (lists given replace the old ones).")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "client_id, object id or display name.") var app: String
            @Option(name: .customLong("name"), help: "New display name.") var newName: String?
            @Flag(name: .customLong("no-roles"), help: "Remove every directory role.") var noRoles = false
            @OptionGroup var settings: Settings

            func run() async throws {
                try await Admin.run(db) { env in
                    let registry = Apps.registry(env)
                    let client = try await registry.find(app)
                    var draft = OIDCClientDraft(client)
                    if let newName { draft.displayName = newName }
                    try settings.apply(to: &draft)
                    if noRoles { draft.roles = [] }
                    let updated = try await registry.update(client, with: draft, by: nil)
                    print("updated \(updated.displayName) (\(updated.clientID))")
                }
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete an application.")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "client_id, object id or display name.") var app: String

            func run() async throws {
                try await Admin.run(db) { env in
                    let registry = Apps.registry(env)
                    let client = try await registry.find(app)
                    try await registry.delete(client, by: nil)
                    print("deleted \(client.displayName) (\(client.clientID))")
                }
            }
        }

        struct AddSecret: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "add-secret", abstract: "Add a client secret; prints it once.")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "client_id, object id or display name.") var app: String
            @Option(name: .customLong("display-name"), help: "A name for the secret.") var displayName: String?

            func run() async throws {
                try await Admin.run(db) { env in
                    let registry = Apps.registry(env)
                    let (secret, text) = try await registry.addSecret(to: try await registry.find(app), displayName: displayName, by: nil)
                    print("keyId: \(secret.keyID)")
                    print("client_secret: \(text)   (shown only this once; valid until \(ISO8601DateFormatter().string(from: secret.expiresAt)))")
                }
            }
        }

        struct RemoveSecret: AsyncParsableCommand {
            static let configuration = CommandConfiguration(commandName: "remove-secret", abstract: "Remove a client secret by its keyId.")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "client_id, object id or display name.") var app: String
            @Argument(help: "The secret's keyId.") var keyID: String

            func run() async throws {
                try await Admin.run(db) { env in
                    let registry = Apps.registry(env)
                    try await registry.removeSecret(keyID: keyID, from: try await registry.find(app), by: nil)
                    print("removed secret \(keyID)")
                }
            }
        }

        struct Consents: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the scopes a user consented to give applications.")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "User principal name or id.") var user: String

            func run() async throws {
                try await Admin.run(db) { env in
                    let target = try await Admin.user(user, env)
                    let consents = try await OIDCConsentService(env: env).consents(of: target)
                    if consents.isEmpty { print("no consents") }
                    for consent in consents {
                        let name = try await env.storage.oidcClient(clientID: consent.clientID)?.displayName ?? "-"
                        print("\(consent.clientID)  \(name)  \(consent.scope)  \(ISO8601DateFormatter().string(from: consent.grantedAt))")
                    }
                }
            }
        }

        struct RevokeConsent: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                commandName: "revoke-consent", abstract: "Withdraw a user's consent to an application; its tokens for the user are revoked.")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "client_id, object id or display name.") var app: String
            @Argument(help: "User principal name or id.") var user: String

            func run() async throws {
                try await Admin.run(db) { env in
                    let client = try await Apps.registry(env).find(app)
                    let target = try await Admin.user(user, env)
                    let count = try await OIDCConsentService(env: env).revoke(clientID: client.clientID, of: target, by: nil)
                    print("revoked \(count) consent\(count == 1 ? "" : "s") of \(target.userPrincipalName) to \(client.displayName)")
                }
            }
        }
    }
}
