import Foundation
import Logging
import TandemCore

/// Users: creation (CLI and first start) and listing.
public struct DirectoryService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.directory")) {
        self.env = env
        self.logger = logger
    }

    /// Creates a user. The user principal name must look like `name@domain`; the password, when
    /// given, at least 8 characters.
    public func addUser(userPrincipalName rawName: String, displayName: String?, password: String?) async throws -> User {
        let user = try await newUser(userPrincipalName: rawName, displayName: displayName, password: password)
        try await env.storage.insertUser(user)
        logger.info("user created", metadata: ["tandem.user": "\(user.id)"])
        return user
    }

    /// The user `addUser` would store, checked and with its password hashed, not yet stored (so a
    /// caller can store it in a transaction with its audit entry, and hash outside it).
    public func newUser(userPrincipalName rawName: String, displayName: String?, password: String?) async throws -> User {
        let upn = rawName.trimmingCharacters(in: .whitespaces)
        let parts = upn.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, upn.count <= 256,
              !upn.contains(where: { $0.isWhitespace || $0.isNewline })
        else { throw TandemError(.badRequest, "userPrincipalName must look like name@domain.") }
        if let password, password.count < 8 { throw TandemError(.badRequest, "The password must be at least 8 characters.") }
        if try await env.storage.user(principalName: upn) != nil {
            throw TandemError(.conflict, "A user with that userPrincipalName already exists.")
        }
        let hash = try await password.asyncMap { try await env.passwords.hash($0) } ?? nil
        let user = User(id: env.random.uuid(), userPrincipalName: upn,
                        displayName: (displayName?.isEmpty == false ? displayName! : String(parts[0])),
                        passwordHash: hash, createdAt: env.clock.now())
        return user
    }

    /// All users, by user principal name.
    public func users() async throws -> [User] {
        try await env.storage.users().sorted { $0.userPrincipalName.lowercased() < $1.userPrincipalName.lowercased() }
    }

    /// The user's authenticators (not removed).
    public func devices(of user: User) async throws -> [Device] {
        try await env.storage.devices(userID: user.id)
    }
}
