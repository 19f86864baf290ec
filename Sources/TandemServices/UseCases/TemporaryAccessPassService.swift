import Foundation
import Logging
import TandemCore

/// Temporary Access Passes: issued by an administrator (Graph, `tandem admin tap`, first start),
/// within the boundary of `AdminAccess.requireMayManageAuthentication`, kept only as a bcrypt hash, used on the password page by a user who has no password yet to
/// register the authenticator.
public struct TemporaryAccessPassService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    /// Graph's limits: 10 minutes to 30 days; 8 to 48 characters.
    public static let lifetimeRange = 10...43_200
    public static let lengthRange = 8...48
    public static let defaultLifetime = 60
    public static let defaultLength = 8
    /// Letters and digits without the look-alikes (0/O, 1/l/I), plus a few symbols, as in Entra's
    /// passes: 59 symbols, ~5.9 bits each.
    public static let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789#%+=!")

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.tap")) {
        self.env = env
        self.logger = logger
    }

    /// What an administrator asks for; a lifetime or length left out takes the method
    /// configuration's default (decision 0036).
    public struct Request: Sendable {
        public var startAt: Date?
        public var lifetimeMinutes: Int?
        public var isUsableOnce: Bool
        public var length: Int?

        public init(startAt: Date? = nil, lifetimeMinutes: Int? = nil, isUsableOnce: Bool = false, length: Int? = nil) {
            self.startAt = startAt
            self.lifetimeMinutes = lifetimeMinutes
            self.isUsableOnce = isUsableOnce
            self.length = length
        }
    }

    /// Issues a pass for `user`; returns it with the pass in clear, shown this once. A user has at
    /// most one pass (as in Entra): delete the old one first.
    public func create(for user: User, _ request: Request, by actor: User?) async throws -> (pass: TemporaryAccessPass, code: String) {
        try await AdminAccess(env: env).requireMayManageAuthentication(of: user, by: actor)
        // The method configuration (decision 0036): who may have a pass, its limits and defaults.
        let config = try await TemporaryAccessPassConfigurationService(env: env).configuration()
        guard try await TemporaryAccessPassConfigurationService(env: env).allows(user) else {
            throw TandemError(.forbidden, "The Temporary Access Pass method isn't enabled for \(user.userPrincipalName) in the authentication methods policy.")
        }
        var request = request
        request.lifetimeMinutes = request.lifetimeMinutes ?? config.defaultLifetimeInMinutes
        request.length = request.length ?? config.defaultLength
        request.isUsableOnce = request.isUsableOnce || config.isUsableOnce
        let lifetime = request.lifetimeMinutes ?? Self.defaultLifetime
        let length = request.length ?? Self.defaultLength
        guard Self.lifetimeRange.contains(lifetime) else {
            throw TandemError(.badRequest, "lifetimeInMinutes must be between 10 and 43200 (30 days).")
        }
        guard (config.minimumLifetimeInMinutes...config.maximumLifetimeInMinutes).contains(lifetime) else {
            throw TandemError(.badRequest, "lifetimeInMinutes must be between \(config.minimumLifetimeInMinutes) and \(config.maximumLifetimeInMinutes), as the authentication methods policy sets.")
        }
        guard Self.lengthRange.contains(length) else { throw TandemError(.badRequest, "The pass must be 8 to 48 characters.") }
        let now = env.clock.now()
        if let startAt = request.startAt, startAt > now.addingTimeInterval(30 * 86_400) {
            throw TandemError(.badRequest, "startDateTime must be within 30 days.")
        }
        let hasPass: @Sendable ([TemporaryAccessPass]) -> Bool = { passes in
            passes.contains { $0.usability(at: now) != .expired && $0.usability(at: now) != .oneTimeUsed }
        }
        let refusal = TandemError(.badRequest, "The user already has a Temporary Access Pass. Delete it before creating a new one.")
        if hasPass(try await env.storage.temporaryAccessPasses(userID: user.id)) { throw refusal }
        let code = String((0..<length).map { _ in Self.alphabet[Int(env.random.uniform(below: UInt64(Self.alphabet.count)))] })
        // Hashed before the transaction (bcrypt would hold SQLite's one writer); checked again inside it, so two
        // requests at once give one pass.
        let pass = TemporaryAccessPass(id: env.random.uuid(), userID: user.id, passHash: try await env.passwords.hash(code),
                                       createdAt: now, startAt: max(request.startAt ?? now, now), lifetimeMinutes: lifetime,
                                       isUsableOnce: request.isUsableOnce, createdBy: actor?.id)
        try await env.transaction { env in
            let existing = try await env.storage.temporaryAccessPasses(userID: user.id)
            if hasPass(existing) { throw refusal }
            for old in existing { _ = try await env.storage.deleteTemporaryAccessPass(id: old.id) }
            try await env.storage.insertTemporaryAccessPass(pass)
            try await Auditor(env: env).record("UserAuthenticationMethod", "Admin registered temporary access pass method for user", "Add", actor: actor,
                                               targetType: "User", targetID: user.id, targetName: user.userPrincipalName,
                                               property: "temporaryAccessPassMethods",
                                               new: "lifetimeInMinutes=\(pass.lifetimeMinutes) isUsableOnce=\(pass.isUsableOnce)")
        }
        logger.info("temporary access pass issued", metadata: ["tandem.user": "\(user.id)", "tandem.pass": "\(pass.id)"])
        return (pass, code)
    }

    public func passes(of user: User) async throws -> [TemporaryAccessPass] {
        try await env.storage.temporaryAccessPasses(userID: user.id)
    }

    public func delete(_ pass: TemporaryAccessPass, of user: User, by actor: User?) async throws {
        try await AdminAccess(env: env).requireMayManageAuthentication(of: user, by: actor)
        try await env.transaction { env in
            guard try await env.storage.deleteTemporaryAccessPass(id: pass.id) else {
                throw TandemError(.notFound, "Resource '\(pass.id)' does not exist or one of its queried reference-property objects are not present.")
            }
            try await Auditor(env: env).record("UserAuthenticationMethod", "Admin deleted temporary access pass method for user", "Delete", actor: actor,
                                               targetType: "User", targetID: user.id, targetName: user.userPrincipalName,
                                               property: "temporaryAccessPassMethods", old: pass.id)
        }
    }

    /// Whether the user has a pass that works now (the password page then asks for it).
    public func hasUsablePass(_ user: User) async throws -> Bool {
        let now = env.clock.now()
        return try await env.storage.temporaryAccessPasses(userID: user.id).contains { $0.isUsable(at: now) }
    }

    /// Checks a typed pass against the user's usable passes (bcrypt, constant time); a one-time
    /// pass is marked used with a compare-and-set, so it signs in once even under a race.
    public func redeem(_ typed: String, for user: User) async throws -> Bool {
        guard try await TemporaryAccessPassConfigurationService(env: env).allows(user) else { return false }
        let now = env.clock.now()
        let candidate = typed.trimmingCharacters(in: .whitespaces)
        guard Self.lengthRange.contains(candidate.count) else { return false }
        for pass in try await env.storage.temporaryAccessPasses(userID: user.id) where pass.isUsable(at: now) {
            guard await env.passwords.verify(candidate, against: pass.passHash) else { continue }
            if pass.isUsableOnce {
                guard try await env.storage.useTemporaryAccessPass(id: pass.id, at: now) else { return false }
            }
            logger.info("temporary access pass used", metadata: ["tandem.user": "\(user.id)", "tandem.pass": "\(pass.id)"])
            return true
        }
        return false
    }
}
