import Foundation
import Hummingbird
import Logging
import TandemCore
import TandemServices

/// The OpenID Connect provider's endpoints: discovery, JWKS, authorization (through Tandem's own
/// sign-in), token, UserInfo, revocation, introspection, RP-initiated logout and CIBA.
struct OIDCController: Sendable {
    let oidc: OIDCEnvironment
    let keys: OIDCKeyRing
    let signIn: SignInService
    let pages: PageRenderer
    let secureCookies: Bool
    let notifier: any CIBANotifier
    let logger: Logger

    var authorization: OIDCAuthorizationService { OIDCAuthorizationService(oidc: oidc, logger: logger) }
    var tokens: OIDCTokenService { OIDCTokenService(oidc: oidc, logger: logger) }
    var clients: OIDCClientAuthenticator { OIDCClientAuthenticator(oidc: oidc) }
    var ciba: CIBAService { CIBAService(oidc: oidc, logger: logger) }

    func register(on router: Router<TandemRequestContext>) {
        router.get("/.well-known/openid-configuration") { _, _ in OIDCHTTP.object(self.discovery()) }
        router.get("/.well-known/oauth-authorization-server") { _, _ in OIDCHTTP.object(self.discovery()) }
        router.get("/oauth2/jwks") { _, _ in
            OIDCHTTP.object(["keys": try await self.keys.jwks()])
        }
        registerAuthorization(on: router)
        registerTokens(on: router)
    }

    /// OpenID Connect Discovery 1.0 §3, RFC 8414, CIBA Core §4.
    func discovery() -> [String: Any] {
        let issuer = oidc.issuer()
        let methods = OIDCClient.AuthMethod.allCases.map(\.rawValue)
        let confidential = methods.filter { $0 != "none" }
        return [
            "issuer": issuer,
            "authorization_endpoint": issuer + "/oauth2/authorize",
            "token_endpoint": oidc.tokenEndpoint,
            "userinfo_endpoint": issuer + "/oauth2/userinfo",
            "jwks_uri": issuer + "/oauth2/jwks",
            "end_session_endpoint": issuer + "/oauth2/logout",
            "revocation_endpoint": issuer + "/oauth2/revoke",
            "introspection_endpoint": issuer + "/oauth2/introspect",
            "backchannel_authentication_endpoint": issuer + "/oauth2/bc-authorize",
            "scopes_supported": OIDCTokenIssuer.supportedScopes,
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": OIDCClient.GrantType.allCases.map(\.rawValue),
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": OIDCClient.IDTokenAlgorithm.allCases.map(\.rawValue),
            "token_endpoint_auth_methods_supported": methods,
            "token_endpoint_auth_signing_alg_values_supported": OIDCKeyRing.assertionAlgorithms,
            "revocation_endpoint_auth_methods_supported": methods,
            "revocation_endpoint_auth_signing_alg_values_supported": OIDCKeyRing.assertionAlgorithms,
            "introspection_endpoint_auth_methods_supported": confidential,
            "introspection_endpoint_auth_signing_alg_values_supported": OIDCKeyRing.assertionAlgorithms,
            "code_challenge_methods_supported": ["S256"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "azp", "at_hash",
                                 "name", "preferred_username", "email"],
            "acr_values_supported": OIDCAssurance.all,
            "prompt_values_supported": ["none", "login", "consent", "select_account"],
            "claims_parameter_supported": false,
            "request_parameter_supported": false,
            "request_uri_parameter_supported": false,
            "require_request_uri_registration": false,
            "authorization_response_iss_parameter_supported": true,
            "backchannel_token_delivery_modes_supported": OIDCClient.DeliveryMode.allCases.map(\.rawValue),
            "backchannel_user_code_parameter_supported": false,
        ]
    }

    /// Runs an OAuth endpoint: protocol errors become RFC 6749 §5.2 bodies; anything unexpected is
    /// logged (its type only) and answered `server_error`.
    func oauth(_ status: (OAuthError.Code) -> HTTPResponse.Status = OIDCHTTP.tokenStatus, basicUsed: Bool = false,
               _ body: () async throws -> Response) async -> Response {
        do {
            return try await body()
        } catch let error as OAuthError {
            return OIDCHTTP.error(error, status: status(error.code), basicUsed: basicUsed)
        } catch {
            logger.error("OIDC endpoint failed", metadata: ["tandem.error": "\(String(reflecting: type(of: error)))"])
            return OIDCHTTP.error(OAuthError(.serverError, "Something went wrong."), status: .internalServerError)
        }
    }
}
