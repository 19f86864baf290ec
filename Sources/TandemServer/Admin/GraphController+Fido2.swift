import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Graph's `fido2AuthenticationMethod` under `/v1.0/users/{id}/authentication/fido2Methods`
/// (decision 0020): list, get, delete, for the authentication and policy administrators, within
/// the boundary of `AdminAccess.requireMayManageAuthentication` for the delete. Registration is
/// the user's own, on the security-info page.
extension GraphController {
    func registerFido2Methods(on v1: RouterGroup<TandemRequestContext>) {
        let base = "users/{id}/authentication/fido2Methods"
        let passkeys = PasskeyService(env: env)
        v1.get(RouterPath(base)) { request, context in
            let user = try await self.methodsOwner(request, context)
            return GraphJSON.response([
                "@odata.context": "\(self.publicURL())/v1.0/$metadata#users('\(user.id)')/authentication/fido2Methods",
                "value": try await passkeys.passkeys(of: user).map(Self.fido2Object),
            ])
        }
        v1.get(RouterPath(base + "/{method}")) { request, context in
            _ = try await self.methodsOwner(request, context)
            let (user, passkey) = try await self.fido2Method(context)
            var object = Self.fido2Object(passkey)
            object["@odata.context"] = "\(self.publicURL())/v1.0/$metadata#users('\(user.id)')/authentication/fido2Methods/$entity"
            return GraphJSON.response(object)
        }
        v1.delete(RouterPath(base + "/{method}")) { request, context in
            let actor = try await self.actor(request, AdminAccess.methodAdmins)
            let (user, passkey) = try await self.fido2Method(context)
            try await AdminAccess(env: self.env).requireMayManageAuthentication(of: user, by: actor)
            try await passkeys.delete(id: passkey.id, of: user, by: actor)
            return GraphJSON.noContent()
        }
    }

    func fido2Method(_ context: TandemRequestContext) async throws -> (User, Passkey) {
        let user = try await admin.user(try context.parameters.require("id"))
        let id = try context.parameters.require("method")
        guard let passkey = try await storage.passkey(id: id), passkey.userID == user.id else {
            throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return (user, passkey)
    }

    /// Graph's shape (v1.0 properties, plus beta's `lastUsedDateTime` and `passkeyType`). `model`
    /// is null (no metadata service); `attestationLevel` is `attested` for a verified full
    /// attestation chain, else `notAttested` (decision 0037).
    static func fido2Object(_ passkey: Passkey) -> [String: Any] {
        ["@odata.type": "#microsoft.graph.fido2AuthenticationMethod", "id": passkey.id, "displayName": passkey.name,
         "createdDateTime": GraphJSON.date(passkey.createdAt),
         "lastUsedDateTime": passkey.lastUsedAt.map(GraphJSON.date) ?? NSNull(),
         "aaGuid": passkey.aaguid, "model": NSNull(), "attestationCertificates": [String](), "attestationLevel": passkey.attestationLevel,
         "passkeyType": passkey.passkeyType]
    }
}
