import Foundation

extension ServiceEnvironment {
    /// Runs `body` in one storage transaction (decision 0018), with an environment whose storage is
    /// the transaction: every write `body` makes through it commits together, or none does.
    ///
    /// Only storage belongs inside. Pushes, alerts, `revocation` and anything else that reaches
    /// beyond the store go after the call, once the change is committed; on PostgreSQL a write
    /// through another handle to a row the transaction holds would wait for it.
    public func transaction<T: Sendable>(_ body: @Sendable (ServiceEnvironment) async throws -> T) async throws -> T {
        let outer = self
        return try await storage.transaction { tx in
            var env = outer
            env.storage = tx
            return try await body(env)
        }
    }
}
