import Crypto
import Foundation
import TandemCore
import TandemServices

/// What every page of one server shares for its browser-facing defences (issue 10, finding 13):
/// the key of the CSRF tokens and whether cookies carry the `__Host-` prefix.
///
/// `SecurityHeadersMiddleware` makes it `current` for the request it handles, so `Web`'s cookie and
/// CSRF helpers read it without every controller passing it along.
public struct WebSecurity: Sendable {
    /// HMAC-SHA256 key of the CSRF tokens: derived from the server's secret key (so every instance
    /// that shares the secret accepts the others' forms), or random for this process.
    let csrfKey: SymmetricKey
    /// The public URL is https: cookies are `Secure` and named `__Host-…` (no `Domain`, path `/`),
    /// so a sibling subdomain or a plain-http page cannot plant or overwrite them.
    let secureCookies: Bool

    @TaskLocal static var current: WebSecurity?

    /// The key used when no secret key is configured (tests, `buildApplication` without one).
    static let processKey = SymmetricKey(data: SystemRandomSource().bytes(32))

    public init(secretKey: String?, secureCookies: Bool) {
        self.csrfKey = Self.csrfKey(secretKey: secretKey)
        self.secureCookies = secureCookies
    }

    static func csrfKey(secretKey: String?) -> SymmetricKey {
        guard let secretKey else { return processKey }
        return HKDF<SHA256>.deriveKey(inputKeyMaterial: SymmetricKey(data: Array(secretKey.utf8)),
                                      info: Array("tandem csrf v1".utf8), outputByteCount: 32)
    }

    /// The CSRF token bound to a cookie value: base64url HMAC-SHA256 under the server's key. A
    /// page on another site can neither read the cookie nor, without the key, compute the token
    /// for a cookie it managed to plant.
    public static func csrfToken(cookie: String, secretKey: String? = nil) -> String {
        token(cookie: cookie, key: csrfKey(secretKey: secretKey))
    }

    static func token(cookie: String, key: SymmetricKey) -> String {
        Base64URL.encode(HMAC<SHA256>.authenticationCode(for: Array("csrf|\(cookie)".utf8), using: key))
    }
}
