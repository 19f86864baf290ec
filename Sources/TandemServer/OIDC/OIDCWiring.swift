import Foundation
import Hummingbird
import Logging
import TandemCore
import TandemServices

/// The OpenID Connect provider's parts, built once by `buildApplication`.
struct OIDCWiring: Sendable {
    let oidc: OIDCEnvironment
    let keys: OIDCKeyRing
    /// The admin API's token key, sealed in the same key ring (same secret key).
    let adminTokens: AdminTokenProvider
    let secureCookies: Bool
    let logger: Logger

    init(configuration: TandemConfiguration, env: ServiceEnvironment, issuer: @escaping @Sendable () -> String, logger: Logger) {
        // Without a configured secret key (tests), a random one for this process only.
        let secret = configuration.secretKey ?? OIDCSecretKey.processDefault
        keys = OIDCKeyRing(storage: env.storage, secretKey: secret, clock: env.clock, random: env.random, settings: configuration.oidc)
        adminTokens = AdminTokenProvider(storage: env.storage, random: env.random, clock: env.clock, secretKey: secret)
        oidc = OIDCEnvironment(env: env, settings: configuration.oidc, signer: keys, issuer: issuer)
        secureCookies = configuration.secureCookies
        self.logger = logger
    }

    /// Accepts this provider's access tokens at the admin API.
    var adminBearer: OIDCAdminBearer { OIDCAdminBearer(oidc: oidc, access: AdminAccess(env: oidc.env)) }

    /// Registers the OIDC endpoints and `/v1.0/applications` (whose callers `actor` checks).
    func register(on router: Router<TandemRequestContext>, signIn: SignInService, pages: PageRenderer,
                  actor: @escaping @Sendable (Request, [DirectoryRole]) async throws -> User) {
        OIDCController(oidc: oidc, keys: keys, signIn: signIn, pages: pages, secureCookies: secureCookies,
                       notifier: CIBAHTTPNotifier(logger: logger), logger: logger).register(on: router)
        OIDCApplicationsController(registry: OIDCClientRegistry(env: oidc.env, settings: oidc.settings), storage: oidc.env.storage,
                                   publicURL: oidc.issuer, actor: actor).register(on: router)
    }
}
