import Crypto
import Foundation
import Logging
import TandemCore
import TandemServices

/// The server's VAPID key pair (RFC 8292): one ES256 key, made on first use and kept in the store
/// like the OIDC and admin signing keys (`signing_keys`, purpose `vapid`, sealed by
/// `OIDCSecretBox` under the secret key with `vapid|<kid>` as additional data). Every
/// subscription is bound to its public key (the browser's `applicationServerKey`), so it is never
/// rotated: a new key would silence every subscription until the apps subscribe again. When
/// several instances make one at once, all use the oldest.
public actor VAPIDKeys {
    static let purpose = "vapid"

    let storage: any TandemStorage
    let box: OIDCSecretBox
    let random: any RandomSource
    let clock: any TandemClock
    let logger: Logger
    var loaded: P256.Signing.PrivateKey?

    public init(storage: any TandemStorage, secretKey: String, random: any RandomSource, clock: any TandemClock,
                logger: Logger = Logger(label: "tandem.webpush")) {
        self.storage = storage
        box = OIDCSecretBox(secret: secretKey)
        self.random = random
        self.clock = clock
        self.logger = logger
    }

    /// The private key, loaded or made.
    public func key() async throws -> P256.Signing.PrivateKey {
        if let loaded { return loaded }
        if let stored = try await open() {
            loaded = stored
            return stored
        }
        let key = try P256.Signing.PrivateKey(rawRepresentation: random.bytes(32))
        let kid = random.identifier()
        let sealed = try box.seal(Array(key.rawRepresentation), context: "\(Self.purpose)|\(kid)", nonce: random.bytes(12))
        try await storage.insertSigningKey(StoredSigningKey(kid: kid, purpose: Self.purpose, privateKey: sealed, createdAt: clock.now()))
        logger.notice("new VAPID key for Web Push", metadata: ["tandem.kid": "\(kid)"])
        guard let stored = try await open() else { throw TandemError(.unavailable, "The VAPID key cannot be opened.") }
        loaded = stored
        return stored
    }

    /// The public key as browsers take it (`applicationServerKey`): base64url of the 65-byte point.
    public func publicKey() async throws -> String {
        Base64URL.encode(try await key().publicKey.x963Representation)
    }

    /// The oldest stored key that opens with the secret key.
    func open() async throws -> P256.Signing.PrivateKey? {
        let stored = try await storage.signingKeys(purpose: Self.purpose).sorted { ($0.createdAt, $0.kid) < ($1.createdAt, $1.kid) }
        for entry in stored {
            if let raw = box.open(entry.privateKey, context: "\(Self.purpose)|\(entry.kid)"),
               let key = try? P256.Signing.PrivateKey(rawRepresentation: raw) { return key }
            logger.warning("a VAPID key cannot be opened with the configured secret key; skipped", metadata: ["tandem.kid": "\(entry.kid)"])
        }
        return nil
    }
}

/// The VAPID `Authorization` header (RFC 8292 §2-3): `vapid t=<JWT>, k=<public key>`, the JWT an
/// ES256 JWS over `{"aud": <the endpoint's origin>, "exp": <now + 12 h>, "sub": <contact>}`.
enum VAPIDAuthorization {
    /// How long a token is valid (RFC 8292 §2: at most 24 hours).
    static let lifetime: TimeInterval = 12 * 3600

    static func header(audience: String, subject: String, key: P256.Signing.PrivateKey, now: Date) throws -> String {
        let header = Base64URL.encode(Array(#"{"typ":"JWT","alg":"ES256"}"#.utf8))
        let claims: [String: Any] = ["aud": audience, "exp": Int(now.timeIntervalSince1970 + lifetime), "sub": subject]
        let payload = Base64URL.encode(try JSONSerialization.data(withJSONObject: claims, options: [.sortedKeys, .withoutEscapingSlashes]))
        let signingInput = header + "." + payload
        let signature = try key.signature(for: Array(signingInput.utf8)).rawRepresentation
        return "vapid t=\(signingInput).\(Base64URL.encode(signature)), k=\(Base64URL.encode(key.publicKey.x963Representation))"
    }
}
