import Foundation
import TandemCore
import TandemServices

/// The in-memory twin of `OIDCTokenSigner`: compact JWS-shaped tokens whose "signature" is a
/// SHA-256 over a per-instance key and the signing input. Fast and deterministic for service
/// tests; the real ES256 signer (`OIDCKeyRing`) is tested through the server.
public struct OIDCTestTokenSigner: OIDCTokenSigner {
    let key: String

    public init(key: String = "test-signing-key") { self.key = key }

    public func sign<Claims: Codable & Sendable>(_ claims: Claims, type: String, algorithm: OIDCClient.IDTokenAlgorithm) async throws -> String {
        let header = Base64URL.encode(Array(#"{"alg":"TEST-\#(algorithm.rawValue)","typ":"\#(type)","kid":"test"}"#.utf8))
        let payload = Base64URL.encode(try JSONEncoder().encode(claims))
        return "\(header).\(payload).\(SecretDigest.of(key + "." + header + "." + payload))"
    }

    public func verify<Claims: Codable & Sendable>(_ token: String, as: Claims.Type) async -> Claims? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, ConstantTime.equals(parts[2], SecretDigest.of(key + "." + parts[0] + "." + parts[1])),
              let bytes = Base64URL.decode(parts[1])
        else { return nil }
        return try? JSONDecoder().decode(Claims.self, from: Data(bytes))
    }

    /// Accepts an assertion whose `jwks` is `{"test-key":"<key>"}` and whose signature uses that key.
    public func verifyClientAssertion<Claims: Codable & Sendable>(_ token: String, jwks: String, as: Claims.Type) async -> Claims? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(jwks.utf8)) as? [String: Any],
              let clientKey = object["test-key"] as? String
        else { return nil }
        return await OIDCTestTokenSigner(key: clientKey).verify(token, as: Claims.self)
    }
}
