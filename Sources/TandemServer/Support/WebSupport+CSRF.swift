import Foundation
import Hummingbird
import TandemCore

/// CSRF protection for the forms (decision 0010). Every form carries a hidden `csrf` field, the
/// digest of a cookie the browser holds (`Web.csrfToken`), checked in constant time:
///
/// - signed-in pages: the session cookie;
/// - the sign-in pages after the username: the flow cookie (one token per flow);
/// - the username form, before any flow: a random `tandem_csrf` cookie set by `GET /login`
///   (a signed double-submit cookie).
///
/// A page on another site can neither read these cookies nor compute the digest.
extension Web {
    /// The username form's double-submit cookie.
    static let loginCSRFCookie = "tandem_csrf"
    /// How this browser last signed in (`SignInService.methodCookie`), so it starts the same way.
    static let methodCookie = "tandem_signin_method"

    /// The username form's cookie (a new one when the browser has none) and the form's token.
    static func loginCSRF(_ request: Request, random: any RandomSource) -> (cookie: String, token: String, isNew: Bool) {
        let existing = cookie(loginCSRFCookie, request)
        let value = existing.count >= 32 ? existing : random.identifier(byteCount: 32)
        return (value, csrfToken(session: value), value != existing)
    }

    /// Sets the username form's cookie (a day; a new `GET /login` makes another).
    static func setLoginCSRFCookie(_ response: inout Response, value: String, secure: Bool) {
        setCookie(&response, name: loginCSRFCookie, value: value, maxAge: 86_400, secure: secure)
    }

    /// The token of the flow's forms.
    static func flowCSRF(_ request: Request) -> String {
        csrfToken(session: cookie(flowCookie, request))
    }

    /// Refuses a sign-in form whose token does not belong to this browser's flow.
    static func checkFlowCSRF(_ form: [String: String], _ request: Request) throws {
        try checkCSRF(form["csrf"], session: cookie(flowCookie, request))
    }

    /// Refuses a signed-in form whose token does not belong to this browser's session.
    static func checkSessionCSRF(_ form: [String: String], _ request: Request) throws {
        try checkCSRF(form["csrf"], session: cookie(sessionCookie, request))
    }
}
