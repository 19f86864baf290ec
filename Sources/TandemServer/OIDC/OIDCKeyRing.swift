import Crypto
import _CryptoExtras
import Foundation
import JWTKit
import Logging
import TandemCore
import TandemServices

/// The provider's signing keys: ES256 (every access token, and the ID tokens of most clients) and
/// RS256 (the ID tokens of clients registered for it; OIDC Discovery §3 requires a provider to offer
/// it). Kept in the store (`signing_keys`, purposes `oidc` and `oidc-rs256`) sealed with
/// `OIDCSecretBox`. For each algorithm the next key is made (and published) a day before the
/// rotation period ends, and signs only once it has been published that long, so relying parties
/// with a cached JWKS already know it; a retired key stays published until every token it signed
/// has expired. The key id is the RFC 7638 thumbprint. Several instances share the keys through the store.
public actor OIDCKeyRing: OIDCTokenSigner {
    typealias Algorithm = OIDCClient.IDTokenAlgorithm

    /// A private key of either algorithm.
    enum Material {
        case es256(P256.Signing.PrivateKey)
        case rs256(_RSA.Signing.PrivateKey)
    }

    struct Entry {
        var kid: String
        var key: Material
        var createdAt: Date
    }

    static let purpose = "oidc"
    static let rsaPurpose = "oidc-rs256"
    /// The modulus of new RSA keys (RFC 7518 §3.3: 2048 bits or larger).
    static let rsaKeySize = _RSA.Signing.KeySize.bits2048
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
    var published: [Algorithm: [Entry]] = [:]
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

    public func sign<Claims: Codable & Sendable>(_ claims: Claims, type: String, algorithm: OIDCClient.IDTokenAlgorithm) async throws -> String {
        let signer = try await signingKey(algorithm)
        return try await collection.sign(ClaimsPayload(claims: claims), kid: JWKIdentifier(string: signer.kid),
                                         header: ["typ": .string(type), "alg": .string(algorithm.rawValue)])
    }

    /// A token signed with any published key of either algorithm (jwt-kit checks the header's `alg` against the key's).
    public func verify<Claims: Codable & Sendable>(_ token: String, as: Claims.Type) async -> Claims? {
        guard let header = Self.header(token), let alg = header.alg.flatMap(Algorithm.init(rawValue:)), let kid = header.kid else { return nil }
        let unknown = !isPublished(kid, alg)
        // An unknown kid may be another instance's new key: read the store again, at most every 5 s.
        if isStale || (unknown && loadedAt.map { clock.now().timeIntervalSince($0) > 5 } ?? true) { try? await reload() }
        guard isPublished(kid, alg) else { return nil }
        return try? await collection.verify(token, as: ClaimsPayload<Claims>.self).claims
    }

    func isPublished(_ kid: String, _ algorithm: Algorithm) -> Bool {
        published[algorithm, default: []].contains { $0.kid == kid }
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

    /// The published keys of both algorithms as a JWK Set (`/oauth2/jwks`), read fresh from the store.
    public func jwks() async throws -> [[String: String]] {
        for algorithm in Algorithm.allCases { _ = try await signingKey(algorithm) }
        try await reload()
        return try Algorithm.allCases.flatMap { published[$0, default: []] }.map { entry in
            switch entry.key {
            case .es256(let key):
                let point = key.publicKey.x963Representation
                return ["kty": "EC", "crv": "P-256", "use": "sig", "alg": "ES256", "kid": entry.kid,
                        "x": Base64URL.encode(point[1..<33]), "y": Base64URL.encode(point[33..<65])]
            case .rs256(let key):
                let (n, e) = try Self.primitives(key.publicKey)
                return ["kty": "RSA", "use": "sig", "alg": "RS256", "kid": entry.kid, "n": Base64URL.encode(n), "e": Base64URL.encode(e)]
            }
        }
    }

    /// How long a new key is published before it signs: a day, or half the rotation period if shorter.
    var prepublication: TimeInterval { min(86_400, settings.signingKeyRotation / 2) }

    /// The key of `algorithm` that signs now: the newest one published for `prepublication` (the
    /// only one on a first start). Makes the next key when the newest is due.
    func signingKey(_ algorithm: Algorithm) async throws -> Entry {
        if isStale || published[algorithm, default: []].isEmpty { try await reload() }
        let now = clock.now()
        let keys = published[algorithm, default: []]
        if keys.isEmpty || keys[keys.count - 1].createdAt.addingTimeInterval(settings.signingKeyRotation - prepublication) <= now {
            try await makeKey(algorithm, now: now)
        }
        let current = published[algorithm, default: []]
        guard let oldest = current.first else { throw TandemError(.unavailable, "No signing key could be loaded.") }
        return current.last { $0.createdAt.addingTimeInterval(prepublication) <= now } ?? oldest
    }

    func makeKey(_ algorithm: Algorithm, now: Date) async throws {
        let kid: String
        let raw: [UInt8]
        switch algorithm {
        case .es256:
            let key = try P256.Signing.PrivateKey(rawRepresentation: random.bytes(32))
            kid = Self.thumbprint(key.publicKey)
            raw = Array(key.rawRepresentation)
        case .rs256:
            // BoringSSL's key generation draws from the operating system's CSPRNG (not the injected source).
            let key = try _RSA.Signing.PrivateKey(keySize: Self.rsaKeySize)
            kid = try Self.thumbprint(key.publicKey)
            raw = Array(key.derRepresentation)
        }
        let purpose = Self.purpose(algorithm)
        let sealed = try box.seal(raw, context: "\(purpose)|\(kid)", nonce: random.bytes(12))
        try await storage.insertSigningKey(StoredSigningKey(kid: kid, purpose: purpose, privateKey: sealed, createdAt: now))
        logger.notice("new OIDC signing key", metadata: ["tandem.kid": "\(kid)", "tandem.alg": "\(algorithm.rawValue)"])
        try await reload()
    }

    static func purpose(_ algorithm: Algorithm) -> String { algorithm == .es256 ? purpose : rsaPurpose }

    /// Opens the sealed bytes of a stored key of `purpose`, or `nil` (wrong secret key, or not a key).
    static func open(_ stored: StoredSigningKey, purpose: String, box: OIDCSecretBox) -> Material? {
        guard let raw = box.open(stored.privateKey, context: "\(purpose)|\(stored.kid)") else { return nil }
        if purpose == rsaPurpose { return (try? _RSA.Signing.PrivateKey(derRepresentation: raw)).map(Material.rs256) }
        return (try? P256.Signing.PrivateKey(rawRepresentation: raw)).map(Material.es256)
    }

    var isStale: Bool { loadedAt.map { clock.now().timeIntervalSince($0) > Self.reloadInterval } ?? true }

    /// Reads the keys from the store, opens them, keeps the published ones of each algorithm.
    func reload() async throws {
        let now = clock.now()
        // A key retires when its successor starts signing; it stays published while its tokens live.
        let keep = prepublication + settings.longestSignedTokenLifetime + Self.retirementGrace
        var fresh: [Algorithm: [Entry]] = [:]
        let keys = JWTKeyCollection()
        for algorithm in Algorithm.allCases {
            let purpose = Self.purpose(algorithm)
            var entries: [Entry] = []
            for stored in try await storage.signingKeys(purpose: purpose) {
                guard let key = Self.open(stored, purpose: purpose, box: box) else {
                    logger.warning("an OIDC signing key cannot be opened with the configured secret key; skipped", metadata: ["tandem.kid": "\(stored.kid)"])
                    continue
                }
                entries.append(Entry(kid: stored.kid, key: key, createdAt: stored.createdAt))
            }
            entries.sort { ($0.createdAt, $0.kid) < ($1.createdAt, $1.kid) }
            let kept = entries.enumerated().filter { index, _ in
                index == entries.count - 1 || entries[index + 1].createdAt.addingTimeInterval(keep) > now
            }.map(\.element)
            for entry in kept {
                switch entry.key {
                case .es256(let key): await keys.add(ecdsa: try ES256PrivateKey(backing: key), kid: JWKIdentifier(string: entry.kid))
                case .rs256(let key):
                    await keys.add(rsa: try Insecure.RSA.PrivateKey(backing: key), digestAlgorithm: .sha256, kid: JWKIdentifier(string: entry.kid))
                }
            }
            fresh[algorithm] = kept
        }
        published = fresh
        collection = keys
        loadedAt = now
    }

    // MARK: helpers

    /// RFC 7638 JWK thumbprint of an RSA public key: the members `e`, `kty`, `n` in that order.
    static func thumbprint(_ key: _RSA.Signing.PublicKey) throws -> String {
        let (n, e) = try primitives(key)
        let json = "{\"e\":\"\(Base64URL.encode(e))\",\"kty\":\"RSA\",\"n\":\"\(Base64URL.encode(n))\"}"
        return Base64URL.encode(SHA256.hash(data: Array(json.utf8)))
    }

    /// The modulus and public exponent, big-endian without leading zero bytes (RFC 7518 §6.3.1).
    static func primitives(_ key: _RSA.Signing.PublicKey) throws -> (modulus: [UInt8], exponent: [UInt8]) {
        let primitives = try key.getKeyPrimitives()
        return (Array(primitives.modulus.drop { $0 == 0 }), Array(primitives.publicExponent.drop { $0 == 0 }))
    }

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
