import Foundation

/// An error of the OAuth 2.0 / OpenID Connect / CIBA protocols, with the exact `error` code the
/// specifications define. The OIDC endpoints speak these codes on the wire, so the use cases
/// throw them directly; the edge only picks the HTTP status (`docs/decisions/0007-oidc.md`).
public struct OAuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The registered error codes Tandem answers with.
    public enum Code: String, Sendable, CaseIterable {
        // RFC 6749 §4.1.2.1 and §5.2
        case invalidRequest = "invalid_request"
        case invalidClient = "invalid_client"
        case invalidGrant = "invalid_grant"
        case unauthorizedClient = "unauthorized_client"
        case unsupportedGrantType = "unsupported_grant_type"
        case unsupportedResponseType = "unsupported_response_type"
        case invalidScope = "invalid_scope"
        case accessDenied = "access_denied"
        case serverError = "server_error"
        case temporarilyUnavailable = "temporarily_unavailable"
        // OpenID Connect Core §3.1.2.6
        case loginRequired = "login_required"
        case consentRequired = "consent_required"
        // OpenID Connect Unmet Authentication Requirements 1.0: the requested acr cannot be reached
        case unmetAuthenticationRequirements = "unmet_authentication_requirements"
        case requestNotSupported = "request_not_supported"
        case requestURINotSupported = "request_uri_not_supported"
        // RFC 6750 §3.1
        case invalidToken = "invalid_token"
        case insufficientScope = "insufficient_scope"
        // RFC 7009 §2.2.1
        case unsupportedTokenType = "unsupported_token_type"
        // CIBA Core §11 and §13 (the polling ones from RFC 8628 §3.5)
        case authorizationPending = "authorization_pending"
        case slowDown = "slow_down"
        case expiredToken = "expired_token"
        case unknownUserID = "unknown_user_id"
        case invalidBindingMessage = "invalid_binding_message"
    }

    public var code: Code
    /// `error_description`: short, client-safe, never a secret.
    public var message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public static func == (lhs: OAuthError, rhs: OAuthError) -> Bool { lhs.code == rhs.code }

    public var description: String { "\(code.rawValue): \(message)" }
}
