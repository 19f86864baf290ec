import Crypto
import Foundation
import JWTKit
import Logging
import TandemCore
import TandemServices

/// ES256 bearer tokens for the admin API. The signing key lives in the store (purpose `admin`),
/// sealed under the secret key, so `tandem admin token` and the server share it; roles are read
/// from the store at each request.
public struct AdminTokens: Sendable {
    /// The `aud` of admin tokens.
    public static let audience = "tandem-admin"

    struct Payload: JWTPayload {
        var iss: IssuerClaim
        var sub: SubjectClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var jti: IDClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
            try aud.verifyIntendedAudience(includes: AdminTokens.audience)
        }
    }

    let keys: JWTKeyCollection
    let kid: String
    let storage: any TandemStorage
    let issuer: String

    static let purpose = "admin"

    /// Loads (or creates, on first use) the admin signing key from the store. The key is sealed
    /// like the OIDC keys (`OIDCSecretBox`, additional data `admin|<kid>`) under the same secret
    /// key: one sealed key ring for every signing key. A key stored unsealed by an older version
    /// is not trusted (it may have been copied with the database): it is deleted and a new sealed
    /// key made, so admin tokens signed before stop working (they live at most 24 hours).
    public static func load(storage: any TandemStorage, random: any RandomSource, clock: any TandemClock, secretKey: String,
                            issuer: String = "tandem", logger: Logger = Logger(label: "tandem.admin.keys")) async throws -> AdminTokens {
        let box = OIDCSecretBox(secret: secretKey)
        func opened() async throws -> [(kid: String, key: P256.Signing.PrivateKey)] {
            var keys: [(kid: String, key: P256.Signing.PrivateKey)] = []
            for stored in try await storage.signingKeys(purpose: purpose) {
                guard stored.privateKey.hasPrefix("v1.") else {
                    try await storage.deleteSigningKey(kid: stored.kid)
                    logger.warning("an unsealed admin signing key was replaced by a sealed one; admin tokens issued before no longer work",
                                   metadata: ["tandem.kid": "\(stored.kid)"])
                    continue
                }
                guard let raw = box.open(stored.privateKey, context: "\(purpose)|\(stored.kid)"),
                      let key = try? P256.Signing.PrivateKey(rawRepresentation: raw)
                else {
                    logger.warning("an admin signing key cannot be opened with the configured secret key; skipped", metadata: ["tandem.kid": "\(stored.kid)"])
                    continue
                }
                keys.append((stored.kid, key))
            }
            return keys
        }
        var usable = try await opened()
        if usable.isEmpty {
            let key = try P256.Signing.PrivateKey(rawRepresentation: random.bytes(32))
            let kid = random.identifier()
            let sealed = try box.seal(Array(key.rawRepresentation), context: "\(purpose)|\(kid)", nonce: random.bytes(12))
            try await storage.insertSigningKey(StoredSigningKey(kid: kid, purpose: purpose, privateKey: sealed, createdAt: clock.now()))
            usable = try await opened()
        }
        guard let newest = usable.last else { throw TandemError(.unavailable, "The admin signing key in the store cannot be opened.") }
        let keys = JWTKeyCollection()
        for entry in usable {
            await keys.add(ecdsa: try ES256PrivateKey(backing: entry.key), kid: JWKIdentifier(string: entry.kid))
        }
        return AdminTokens(keys: keys, kid: newest.kid, storage: storage, issuer: issuer)
    }

    /// Issues a token for `user`, valid for `lifetime` seconds (at most 24 hours).
    public func issue(for user: User, lifetime: TimeInterval, now: Date, random: any RandomSource) async throws -> String {
        let payload = Payload(iss: IssuerClaim(value: issuer), sub: SubjectClaim(value: user.id), aud: AudienceClaim(value: [Self.audience]),
                              exp: ExpirationClaim(value: now.addingTimeInterval(min(lifetime, 86_400))), iat: IssuedAtClaim(value: now),
                              jti: IDClaim(value: random.identifier()))
        return try await keys.sign(payload, kid: JWKIdentifier(string: kid))
    }

    /// The user a bearer token names, or a Graph-style 401.
    public func user(forBearer header: String?) async throws -> User {
        guard let header, header.lowercased().hasPrefix("bearer "), header.count > 7 else {
            throw TandemError(.unauthorized, "Access token is empty.")
        }
        let token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        let payload: Payload
        do {
            payload = try await keys.verify(token, as: Payload.self)
        } catch let error as JWTError where error.errorType == .claimVerificationFailure {
            throw TandemError(.unauthorized, "Lifetime validation failed, the token is expired or not for this API.")
        } catch {
            throw TandemError(.unauthorized, "Access token validation failure. Invalid audience or signature.")
        }
        guard payload.iss.value == issuer,
              let user = try await storage.user(id: payload.sub.value), user.accountEnabled
        else { throw TandemError(.unauthorized, "Access token validation failure. The user no longer exists or is disabled.") }
        // Tokens issued before the user's sessions were revoked (a report, a reset, revokeSignInSessions) are dead.
        if let from = try await storage.sessionsValidFrom(userID: user.id), payload.iat.value < from {
            throw TandemError(.unauthorized, "Access token validation failure. The user's sign-in sessions were revoked.")
        }
        return user
    }
}

/// Loads the admin signing key from the store on first use, so building the application stays synchronous.
public actor AdminTokenProvider {
    let storage: any TandemStorage
    let random: any RandomSource
    let clock: any TandemClock
    let secretKey: String
    var loaded: AdminTokens?

    public init(storage: any TandemStorage, random: any RandomSource, clock: any TandemClock, secretKey: String) {
        self.storage = storage
        self.random = random
        self.clock = clock
        self.secretKey = secretKey
    }

    public func tokens() async throws -> AdminTokens {
        if let loaded { return loaded }
        let tokens = try await AdminTokens.load(storage: storage, random: random, clock: clock, secretKey: secretKey)
        loaded = tokens
        return tokens
    }
}
