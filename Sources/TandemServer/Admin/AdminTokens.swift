import Crypto
import Foundation
import JWTKit
import TandemCore
import TandemServices

/// ES256 bearer tokens for the admin API. The signing key lives in the store (purpose `admin`),
/// so `tandem admin token` and the server share it; roles are read from the store at each request.
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

    /// Loads (or creates, on first use) the admin signing key from the store.
    public static func load(storage: any TandemStorage, random: any RandomSource, clock: any TandemClock, issuer: String = "tandem") async throws -> AdminTokens {
        var stored = try await storage.signingKeys(purpose: "admin").last
        if stored == nil {
            let key = P256.Signing.PrivateKey()
            try await storage.insertSigningKey(StoredSigningKey(kid: random.identifier(), purpose: "admin",
                                                                privateKey: Base64URL.encode(key.rawRepresentation), createdAt: clock.now()))
            stored = try await storage.signingKeys(purpose: "admin").last
        }
        guard let stored, let raw = Base64URL.decode(stored.privateKey),
              let key = try? P256.Signing.PrivateKey(rawRepresentation: raw)
        else { throw TandemError(.unavailable, "The admin signing key in the store is damaged.") }
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: try ES256PrivateKey(backing: key), kid: JWKIdentifier(string: stored.kid))
        return AdminTokens(keys: keys, kid: stored.kid, storage: storage, issuer: issuer)
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
        return user
    }
}

/// Loads the admin signing key from the store on first use, so building the application stays synchronous.
public actor AdminTokenProvider {
    let storage: any TandemStorage
    let random: any RandomSource
    let clock: any TandemClock
    var loaded: AdminTokens?

    public init(storage: any TandemStorage, random: any RandomSource, clock: any TandemClock) {
        self.storage = storage
        self.random = random
        self.clock = clock
    }

    public func tokens() async throws -> AdminTokens {
        if let loaded { return loaded }
        let tokens = try await AdminTokens.load(storage: storage, random: random, clock: clock)
        loaded = tokens
        return tokens
    }
}
