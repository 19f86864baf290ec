import Foundation
import TandemCore
import TandemServices

/// Lets the admin API accept access tokens of Tandem's own OpenID Connect provider, so automation
/// uses the client-credentials grant instead of a special token command.
///
/// A token qualifies with the `tandem-admin` audience (scope `tandem-admin`). Its `wids` claim (the
/// roles held when it was issued) is the ceiling, and the store is the truth at each request: a
/// user's roles come from the directory, an application's from its registration, so a removed
/// role takes effect at once and a token never grants more than it was issued with.
struct OIDCAdminBearer: Sendable {
    let oidc: OIDCEnvironment
    let access: AdminAccess

    /// The caller, or `nil` when the bearer token is not an access token of this provider (the
    /// admin tokens of `tandem admin token` are tried next). Graph-style 401/403 otherwise.
    func actor(authorization header: String?, _ roles: [DirectoryRole]) async throws -> User? {
        guard let header, header.count > 7, header.lowercased().hasPrefix("bearer ") else { return nil }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let unverified = await oidc.signer.verify(token, as: AccessTokenClaims.self), unverified.iss == oidc.issuer() else { return nil }
        let claims: AccessTokenClaims
        do {
            claims = try await OIDCTokenIssuer(oidc: oidc).validateAccessToken(token).claims
        } catch let error as OAuthError {
            throw TandemError(.unauthorized, "Access token validation failure: \(error.message)")
        }
        guard claims.aud.contains(OIDCTokenIssuer.adminScope) else {
            throw TandemError(.unauthorized, "Access token validation failure. Invalid audience: request the scope \(OIDCTokenIssuer.adminScope).")
        }
        let allowed = roles.filter { (claims.wids ?? []).contains($0.rawValue) }
        switch claims.idtyp {
        case "app":
            guard let client = try await oidc.env.storage.oidcClient(clientID: claims.clientID), client.clientID == claims.sub else {
                throw TandemError(.unauthorized, "Access token validation failure. The application is no longer registered.")
            }
            guard allowed.contains(where: { client.roles.contains($0.rawValue) }) else {
                throw TandemError(.forbidden, "Insufficient privileges to complete the operation.")
            }
            return User(id: client.clientID, userPrincipalName: client.displayName, displayName: client.displayName,
                        passwordHash: nil, createdAt: client.createdAt)
        default:
            // A user's delegated admin access exists only through an application enabled for it.
            guard let client = try await oidc.env.storage.oidcClient(clientID: claims.clientID), client.mayRequestAdminScope else {
                throw TandemError(.unauthorized, "Access token validation failure. The application is not enabled for the admin API.")
            }
            guard let user = try await oidc.env.storage.user(id: claims.sub), user.accountEnabled else {
                throw TandemError(.unauthorized, "Access token validation failure. The user no longer exists or is disabled.")
            }
            guard !allowed.isEmpty else { throw TandemError(.forbidden, "Insufficient privileges to complete the operation.") }
            try await access.require(user, anyOf: allowed)
            return user
        }
    }
}
