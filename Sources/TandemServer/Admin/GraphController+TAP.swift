import Foundation
import Hummingbird
import TandemCore
import TandemServices

/// Graph's `temporaryAccessPassAuthenticationMethod` under
/// `/v1.0/users/{id}/authentication/temporaryAccessPassMethods`: create (the pass is in the answer
/// this once), list, get, delete. For the authentication and policy administrators.
extension GraphController {
    func registerTemporaryAccessPass(on v1: RouterGroup<TandemRequestContext>) {
        let base = "users/{id}/authentication/temporaryAccessPassMethods"
        let passes = TemporaryAccessPassService(env: env)
        v1.post(RouterPath(base)) { request, context in
            let actor = try await self.actor(request, AdminAccess.methodAdmins)
            let user = try await self.admin.user(try context.parameters.require("id"))
            let body = try await GraphJSON.object(request)
            try GraphJSON.onlyKnown(body, ["startDateTime", "lifetimeInMinutes", "isUsableOnce", "tandemLength"],
                                    type: "microsoft.graph.temporaryAccessPassAuthenticationMethod")
            var ask = TemporaryAccessPassService.Request()
            if let value = body["startDateTime"], !(value is NSNull) {
                let text = try GraphJSON.string(value, "startDateTime")
                guard let date = GraphDates.parse(text) else { throw TandemError(.badRequest, "startDateTime: '\(text)' is not an ISO 8601 date and time.") }
                ask.startAt = date
            }
            if let value = body["lifetimeInMinutes"] { ask.lifetimeMinutes = try GraphJSON.int(value, "lifetimeInMinutes") }
            if let value = body["isUsableOnce"] { ask.isUsableOnce = try GraphJSON.bool(value, "isUsableOnce") }
            if let value = body["tandemLength"] { ask.length = try GraphJSON.int(value, "tandemLength") }
            let (pass, code) = try await passes.create(for: user, ask, by: actor)
            var object = Self.passObject(pass, now: self.env.clock.now())
            object["temporaryAccessPass"] = code
            object["@odata.context"] = "\(self.publicURL())/v1.0/$metadata#users('\(user.id)')/authentication/temporaryAccessPassMethods/$entity"
            return GraphJSON.response(object, status: .created)
        }
        v1.get(RouterPath(base)) { request, context in
            let user = try await self.methodsOwner(request, context)
            let now = self.env.clock.now()
            return GraphJSON.response([
                "@odata.context": "\(self.publicURL())/v1.0/$metadata#users('\(user.id)')/authentication/temporaryAccessPassMethods",
                "value": try await passes.passes(of: user).map { Self.passObject($0, now: now) },
            ])
        }
        v1.get(RouterPath(base + "/{method}")) { request, context in
            _ = try await self.methodsOwner(request, context)
            let (_, pass) = try await self.temporaryAccessPass(context)
            return GraphJSON.response(Self.passObject(pass, now: self.env.clock.now()))
        }
        v1.delete(RouterPath(base + "/{method}")) { request, context in
            let actor = try await self.actor(request, AdminAccess.methodAdmins)
            let (user, pass) = try await self.temporaryAccessPass(context)
            try await passes.delete(pass, of: user, by: actor)
            return GraphJSON.noContent()
        }
    }

    func temporaryAccessPass(_ context: TandemRequestContext) async throws -> (User, TemporaryAccessPass) {
        let user = try await admin.user(try context.parameters.require("id"))
        let id = try context.parameters.require("method")
        guard let pass = try await storage.temporaryAccessPass(id: id), pass.userID == user.id else {
            throw TandemError(.notFound, "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return (user, pass)
    }

    /// Graph's shape; `temporaryAccessPass` is null except in the answer to the POST.
    static func passObject(_ pass: TemporaryAccessPass, now: Date) -> [String: Any] {
        let usability = pass.usability(at: now)
        return ["@odata.type": "#microsoft.graph.temporaryAccessPassAuthenticationMethod", "id": pass.id,
                "temporaryAccessPass": NSNull(), "createdDateTime": GraphJSON.date(pass.createdAt),
                "startDateTime": GraphJSON.date(pass.startAt), "lifetimeInMinutes": pass.lifetimeMinutes,
                "isUsableOnce": pass.isUsableOnce, "isUsable": usability == .enabledByPolicy,
                "methodUsabilityReason": usability.rawValue]
    }
}
