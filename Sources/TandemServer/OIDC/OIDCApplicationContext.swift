import Foundation
import TandemCore
import TandemServices

/// The application a sign-in is for, as the phone's prompt and the sign-in log name it (Entra's
/// "additional context"): the display name of the OIDC client whose authorization request the
/// sign-in returns to (`/oauth2/authorize/continue?request=<handle>`), else Tandem itself.
struct OIDCApplicationContext: Sendable {
    let storage: any TandemStorage
    /// Tandem's own name (`ServiceSettings.applicationName`).
    let fallback: String

    static let continuePath = "/oauth2/authorize/continue"

    /// The client's display name for a sign-in that returns to `returnTo`.
    func name(returnTo: String?) async -> String {
        guard let returnTo, let components = URLComponents(string: returnTo), components.path == Self.continuePath,
              let handle = components.queryItems?.first(where: { $0.name == "request" })?.value, !handle.isEmpty,
              let request = try? await storage.authorizationRequest(id: SecretDigest.of(handle)),
              let client = try? await storage.oidcClient(clientID: request.clientID)
        else { return fallback }
        return client.displayName
    }
}
