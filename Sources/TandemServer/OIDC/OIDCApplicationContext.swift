import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// The application a sign-in is for, as the phone's prompt, the sign-in pages ("to continue to
/// Payroll") and the sign-in log name it (Entra's "additional context"): the OIDC client whose
/// authorization request the sign-in returns to (`/oauth2/authorize/continue?request=<handle>`),
/// else Tandem itself (docs/decisions/0032-application-context.md).
struct OIDCApplicationContext: Sendable {
    let storage: any TandemStorage
    /// Tandem's own name (`ServiceSettings.applicationName`).
    let fallback: String

    static let continuePath = "/oauth2/authorize/continue"

    /// The registered client of the authorization request a sign-in returning to `returnTo` waits
    /// for; nil for Tandem's own pages, an unknown or spent handle, or a deleted client.
    func client(returnTo: String?) async -> OIDCClient? {
        guard let returnTo, let components = URLComponents(string: returnTo), components.path == Self.continuePath,
              let handle = components.queryItems?.first(where: { $0.name == "request" })?.value, !handle.isEmpty,
              let request = try? await storage.authorizationRequest(id: SecretDigest.of(handle)),
              let client = try? await storage.oidcClient(clientID: request.clientID)
        else { return nil }
        return client
    }

    /// The client's display name for a sign-in that returns to `returnTo`, else Tandem's name.
    func name(returnTo: String?) async -> String {
        await client(returnTo: returnTo)?.displayName ?? fallback
    }

    /// The challenge context of a request whose sign-in returns to `returnTo`: the client's
    /// display name for the phone and the log, and its client id for the log's `appId` (never sent
    /// to the phone); Tandem's name and no id otherwise. Every sign-in path builds it here.
    func challengeContext(_ request: Request, _ context: TandemRequestContext, returnTo: String?) async -> ChallengeContext {
        let client = await client(returnTo: returnTo)
        var shown = Web.challengeContext(request, context, application: client?.displayName ?? fallback)
        shown.applicationID = client?.clientID
        return shown
    }

    /// A page's values with `continueTo` (the "to continue to <App>" line) set to the display name
    /// of the client the sign-in returns to; unchanged for Tandem's own sign-in.
    func continueTo(_ returnTo: String?, _ values: [String: Any]) async -> [String: Any] {
        var values = values
        if let client = await client(returnTo: returnTo) { values["continueTo"] = client.displayName }
        return values
    }
}
