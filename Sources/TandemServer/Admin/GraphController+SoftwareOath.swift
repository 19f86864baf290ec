import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Graph's `softwareOathAuthenticationMethod` under `/v1.0/users/{id}/authentication/softwareOathMethods`
/// (decision 0031): list, get, delete, for the authentication and policy administrators, the
/// delete within `AdminAccess.requireMayManageAuthentication`. `secretKey` is always null on read,
/// as in Graph. Adding one is the user's own, on the security-info page. The Tandem
/// authenticator's codes stay listed under `methods` with the device's id (they go with the device).
extension GraphController {
    func registerSoftwareOathMethods(on v1: RouterGroup<TandemRequestContext>) {
        let base = "users/{id}/authentication/softwareOathMethods"
        let service = SoftwareOathService(env: env)
        v1.get(RouterPath(base)) { request, context in
            let user = try await self.methodsOwner(request, context)
            return GraphJSON.response([
                "@odata.context": "\(self.publicURL())/v1.0/$metadata#users('\(user.id)')/authentication/softwareOathMethods",
                "value": try await service.methods(of: user).map(Self.softwareOathObject),
            ])
        }
        v1.get(RouterPath(base + "/{method}")) { request, context in
            let user = try await self.methodsOwner(request, context)
            var object = Self.softwareOathObject(try await service.method(id: try context.parameters.require("method"), of: user))
            object["@odata.context"] = "\(self.publicURL())/v1.0/$metadata#users('\(user.id)')/authentication/softwareOathMethods/$entity"
            return GraphJSON.response(object)
        }
        v1.delete(RouterPath(base + "/{method}")) { request, context in
            let actor = try await self.actor(request, AdminAccess.methodAdmins)
            let user = try await self.admin.user(try context.parameters.require("id"))
            let method = try await service.method(id: try context.parameters.require("method"), of: user)
            try await AdminAccess(env: self.env).requireMayManageAuthentication(of: user, by: actor)
            try await service.delete(id: method.id, of: user, by: actor)
            return GraphJSON.noContent()
        }
    }

    /// Graph's shape: `id`, `secretKey` (null on read), plus `createdDateTime` and beta's `lastUsedDateTime`.
    static func softwareOathObject(_ method: SoftwareOathMethod) -> [String: Any] {
        ["@odata.type": "#microsoft.graph.softwareOathAuthenticationMethod", "id": method.id, "secretKey": NSNull(),
         "createdDateTime": GraphJSON.date(method.createdAt), "lastUsedDateTime": method.lastUsedAt.map(GraphJSON.date) ?? NSNull()]
    }
}
