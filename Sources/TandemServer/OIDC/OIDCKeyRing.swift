import Crypto
import Foundation
import JWTKit
import Logging
import TandemCore
import TandemServices

/// The provider's ES256 signing keys: kept in the store (`signing_keys`, purpose `oidc`) sealed
/// with `OIDCSecretBox`. The next key is made (and published) a day before the rotation period
/// ends, and signs only once it has been published that long, so relying parties with a cached
/// JWKS already know it; a retired key stays published until every token it signed has expired.
/// The key id is the RFC 7638 thumbprint. Several instances share the keys through the store.
public actor OIDCKeyRing: OIDCTokenSigner {
    struct Entry {
        var kid: String
        var key: P256.Signing.PrivateKey
        var createdAt: Date
    }

    static let purpose = "oidc"
    /// How long a loaded key set is trusted before the store is read again.
    static let reloadInterval: TimeInterval = 60
    /// Extra time a retired key stays published, for instances that have not reloaded yet.
    static let retirementGrace: TimeInterval = 300

    let storage: any TandemStorage
    let box: OIDCSecretBox
    let clock: any TandemClock
    let random: any RandomSource
    let settings: OIDCSettings
    let logger: Logger
    var published: [Entry] = []
    var collection = JWTKeyCollection()
    var loadedAt: Date?

    init(storage: any TandemStorage, box: OIDCSecretBox, clock: any TandemClock, random: any RandomSource, settings: OIDCSettings,
         logger: Logger = Logger(label: "tandem.oidc.keys")) {
        self.storage = storage
        self.box = box
        self.clock = clock
        self.random = random
        self.settings = settings
        self.logger = logger
    }

    /// Builds a key ring whose keys are sealed under `secretKey` (see `OIDCSecretKey`).
    public init(storage: any TandemStorage, secretKey: String, clock: any TandemClock, random: any RandomSource, settings: OIDCSettings) {
        self.init(storage: storage, box: OIDCSecretBox(secret: secretKey), clock: clock, random: random, settings: settings)
    }

    // MARK: OIDCTokenSigner

    public func sign<Claims: Codable & Sendable>(_ claims: Claims, type: String) async throws -> String {
        let signer = try await signingKey()
        return try await collection.sign(ClaimsPayload(claims: claims), kid: JWKIdentifier(string: signer.kid),
                                         header: ["typ": .string(type), "alg": .string("ES256")])
    }

    public func verify<Claims: Codable & Sendable>(_ token: String, as: Claims.Type) async -> Claims? {
        guard let header = Self.header(token), header.alg == "ES256", let kid = header.kid else { return nil }
        let unknown = !published.contains(where: { $0.kid == kid })
        // An unknown kid may be another instance's new key: read the store again, at most every 5 s.
        if isStale || (unknown && loadedAt.map { clock.now().timeIntervalSince($0) > 5 } ?? true) { try? await reload() }
        guard published.contains(where: { $0.kid == kid }) else { return nil }
        return try? await collection.verify(token, as: ClaimsPayload<Claims>.self).claims
    }

    public func verifyClientAssertion<Claims: Codable & Sendable>(_ token: String, jwks: String, as: Claims.Type) async -> Claims? {
        guard let header = Self.header(token), let alg = header.alg, Self.assertionAlgorithms.contains(alg),
              let set = Self.withKeyIDs(jwks)
        else { return nil }
        let keys = JWTKeyCollection()
        guard (try? await keys.add(jwksJSON: set)) != nil else { return nil }
        return try? await keys.verify(token, as: ClaimsPayload<Claims>.self).claims
    }

    /// Client assertion algorithms accepted (`token_endpoint_auth_signing_alg_values_supported`).
    public static let assertionAlgorithms = ["RS256", "PS256", "ES256"]

    // MARK: keys

    /// The published keys as a JWK Set (`/oauth2/jwks`), read fresh from the store.
    public func jwks() async throws -> [[String: String]] {
        _ = try await signingKey()
        try await reload()
        return published.map { entry in
            let point = entry.key.publicKey.x963Representation
            return ["kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": entry.kid,
                    "x": Base64URL.encode(point[1..<33]), "y": Base64URL.encode(point[33..<65])]
        }
    }

    /// How long a new key is published before it signs: a day, or half the rotation period if shorter.
    var prepublication: TimeInterval { min(86_400, settings.signingKeyRotation / 2) }

    /// The key that signs now: the newest one published for `prepublication` (the only one on a
    /// first start). Makes the next key when the newest is due.
    func signingKey() async throws -> Entry {
        if isStale || published.isEmpty { try await reload() }
        let now = clock.now()
        if published.isEmpty || published[published.count - 1].createdAt.addingTimeInterval(settings.signingKeyRotation - prepublication) <= now {
            try await makeKey(now: now)
        }
        guard let oldest = published.first else { throw TandemError(.unavailable, "No signing key could be loaded.") }
        return published.last { $0.createdAt.addingTimeInterval(prepublication) <= now } ?? oldest
    }

    func makeKey(now: Date) async throws {
        let key = try P256.Signing.PrivateKey(rawRepresentation: random.bytes(32))
        let kid = Self.thumbprint(key.publicKey)
        let sealed = try box.seal(Array(key.rawRepresentation), context: "\(Self.purpose)|\(kid)", nonce: random.bytes(12))
        try await storage.insertSigningKey(StoredSigningKey(kid: kid, purpose: Self.purpose, privateKey: sealed, createdAt: now))
        logger.notice("new OIDC signing key", metadata: ["tandem.kid": "\(kid)"])
        try await reload()
    }

    var isStale: Bool { loadedAt.map { clock.now().timeIntervalSince($0) > Self.reloadInterval } ?? true }

    /// Reads the keys from the store, opens them, keeps the published ones.
    func reload() async throws {
        let now = clock.now()
        var entries: [Entry] = []
        for stored in try await storage.signingKeys(purpose: Self.purpose) {
            guard let raw = box.open(stored.privateKey, context: "\(Self.purpose)|\(stored.kid)"),
                  let key = try? P256.Signing.PrivateKey(rawRepresentation: raw)
            else {
                logger.warning("an OIDC signing key cannot be opened with the configured secret key; skipped", metadata: ["tandem.kid": "\(stored.kid)"])
                continue
            }
            entries.append(Entry(kid: stored.kid, key: key, createdAt: stored.createdAt))
        }
        entries.sort { ($0.createdAt, $0.kid) < ($1.createdAt, $1.kid) }
        // A key retires when its successor starts signing; it stays published while its tokens live.
        let keep = prepublication + settings.longestSignedTokenLifetime + Self.retirementGrace
        published = entries.enumerated().filter { index, _ in
            index == entries.count - 1 || entries[index + 1].createdAt.addingTimeInterval(keep) > now
        }.map(\.element)
        let fresh = JWTKeyCollection()
        for entry in published {
            await fresh.add(ecdsa: try ES256PrivateKey(backing: entry.key), kid: JWKIdentifier(string: entry.kid))
        }
        collection = fresh
        loadedAt = now
    }

    // MARK: helpers

    /// RFC 7638 JWK thumbprint (SHA-256, base64url) of a P-256 public key.
    static func thumbprint(_ key: P256.Signing.PublicKey) -> String {
        let point = key.x963Representation
        let json = "{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"\(Base64URL.encode(point[1..<33]))\",\"y\":\"\(Base64URL.encode(point[33..<65]))\"}"
        return Base64URL.encode(SHA256.hash(data: Array(json.utf8)))
    }

    struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    static func header(_ token: String) -> Header? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, token.utf8.count <= 16 * 1024, let bytes = Base64URL.decode(String(parts[0])) else { return nil }
        return try? JSONDecoder().decode(Header.self, from: Data(bytes))
    }

    /// A client's JWK Set with a `kid` on every key (jwt-kit needs one), or `nil`.
    static func withKeyIDs(_ jwks: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(jwks.utf8)) as? [String: Any],
              let keys = object["keys"] as? [[String: Any]]
        else { return nil }
        let named = keys.enumerated().map { index, key -> [String: Any] in
            var key = key
            if key["kid"] == nil { key["kid"] = "key-\(index)" }
            return key
        }
        guard let data = try? JSONSerialization.data(withJSONObject: ["keys": named]) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}

/// Lets any `Codable` claims struct travel through jwt-kit. Times are checked by the use cases
/// against the server clock, not here.
struct ClaimsPayload<Claims: Codable & Sendable>: JWTPayload {
    var claims: Claims

    init(claims: Claims) { self.claims = claims }
    init(from decoder: any Decoder) throws { claims = try Claims(from: decoder) }
    func encode(to encoder: any Encoder) throws { try claims.encode(to: encoder) }
    func verify(using algorithm: some JWTAlgorithm) async throws {}
}
