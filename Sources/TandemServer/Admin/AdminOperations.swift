import Foundation
import TandemCore
import TandemServices

/// What `tandem admin` does on the database directly, sharing the API's codecs.
public enum AdminOperations {
    /// The Microsoft Authenticator configuration in its Graph shape, pretty-printed.
    public static func policyJSON(env: ServiceEnvironment) async throws -> String {
        let object = GraphPolicyCodec.encode(try await PolicyService(env: env).authenticatorPolicy(), baseURL: env.settings.publicURL)
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// Applies a Graph PATCH body to the Microsoft Authenticator configuration.
    public static func patchPolicy(_ body: Data, env: ServiceEnvironment) async throws {
        guard let parsed = try? GraphJSON.lenientDecoder().decode(GraphJSON.JSONValue.self, from: body), let object = parsed.any as? [String: Any] else {
            throw TandemError(.badRequest, "The body is not a JSON object.")
        }
        let service = PolicyService(env: env)
        try await service.save(try GraphPolicyCodec.apply(object, to: try await service.authenticatorPolicy()), by: nil)
    }

    /// The users a Graph `$filter` selects, by the admin API's own parser and property table
    /// (what `/v1.0/users?$filter=` answers; the `tandem-fuzz` target graph-filter drives it).
    /// `advanced`: the request carried `ConsistencyLevel: eventual` and `$count=true`.
    public static func users(_ users: [User], matching filter: String, advanced: Bool) throws -> [User] {
        let parsed = try ODataFilter.parse(filter)
        try GraphSchemas.user.check(parsed, advancedQuery: advanced)
        return users.filter { GraphSchemas.user.matches($0, parsed) }
    }

    /// Issues an admin API token for a user who holds a directory role, signed with the admin key
    /// sealed under `secretKey` (the server's secret key).
    public static func token(for user: User, lifetime: TimeInterval, secretKey: String, env: ServiceEnvironment) async throws -> String {
        guard try await AdminAccess(env: env).isAdmin(user) else {
            throw TandemError(.forbidden, "\(user.userPrincipalName) holds no directory role; assign one with `tandem admin roles assign`.")
        }
        let tokens = try await AdminTokens.load(storage: env.storage, random: env.random, clock: env.clock, secretKey: secretKey)
        return try await tokens.issue(for: user, lifetime: lifetime, now: env.clock.now(), random: env.random)
    }
}
