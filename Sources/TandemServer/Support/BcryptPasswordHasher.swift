import HummingbirdBcrypt
import NIOPosix
import TandemServices

/// bcrypt through HummingbirdBcrypt, run on NIO's thread pool so it never blocks an event loop.
public struct BcryptPasswordHasher: PasswordHasher {
    let cost: UInt8
    let decoy: String

    /// `cost` 4–16 (10 by default; tests use 4).
    public init(cost: Int) {
        self.cost = UInt8(cost)
        self.decoy = Bcrypt.hash("decoy-\(cost)", cost: UInt8(cost))
    }

    public func hash(_ password: String) async throws -> String {
        let cost = self.cost
        return try await NIOThreadPool.singleton.runIfActive { Bcrypt.hash(password, cost: cost) }
    }

    public func verify(_ password: String, against hash: String) async -> Bool {
        (try? await NIOThreadPool.singleton.runIfActive { Bcrypt.verify(password, hash: hash) }) ?? false
    }

    public func verifyDecoy(_ password: String) async {
        _ = await verify(password, against: decoy)
    }
}
