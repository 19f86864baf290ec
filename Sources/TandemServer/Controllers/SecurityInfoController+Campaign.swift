import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Security info's part in the registration campaign (decision 0034) and system-preferred MFA
/// (decision 0033).
extension SecurityInfoController {
    /// After the campaign's "Next" (`?campaign=1&return_to=…`): the way on to what the sign-in was
    /// for — an OIDC application's authorization request — as "Continue to <App>". Only a local
    /// path (`SignInFlow.safeReturnPath`) is ever a link; anything else offers none.
    func campaignValues(_ request: Request) async -> [String: Any] {
        guard FormQuery.value("campaign", in: request.uri.query) == "1",
              let back = SignInFlow.safeReturnPath(FormQuery.value("return_to", in: request.uri.query)), back != "/mysecurityinfo"
        else { return [:] }
        let named = await applications.continueTo(back, [:])
        return ["campaignContinue": back, "campaignApp": (named["continueTo"] as? String) ?? "your application"]
    }

    /// Entra's security info with system-preferred MFA on: the method the sign-in asks for first —
    /// the same decision and facts the password step uses (`SignInService.systemPreferredMethod`,
    /// Graph's `signInPreferences.systemPreferredAuthenticationMethod`) — and the user's own
    /// default becomes "Sign-in method when most advisable is unavailable".
    func systemPreferredValues(of user: User) async throws -> [String: Any] {
        let preferred = try await signIn.systemPreferredMethod(for: user)
        guard preferred.enabled, let method = preferred.method else { return [:] }
        return ["systemPreferred": true, "systemPreferredLabel": Self.systemPreferredLabels[method] ?? method]
    }

    static let systemPreferredLabels = [
        "fido2": "Passkey", "push": SecurityInfoService.DefaultMethod.push.label, "oath": SecurityInfoService.DefaultMethod.oath.label,
    ]
}
