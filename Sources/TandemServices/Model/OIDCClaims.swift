import Foundation
import TandemCore

/// The claims of an ID token (OpenID Connect Core §2). Times are seconds since 1970.
public struct IDTokenClaims: Codable, Sendable, Equatable {
    public var iss: String
    public var sub: String
    public var aud: String
    public var exp: Int
    public var iat: Int
    public var authTime: Int?
    public var nonce: String?
    /// `urn:tandem:acr:…`, see `OIDCAssurance`.
    public var acr: String?
    /// RFC 8176 method references of the sign-in.
    public var amr: [String]?
    public var azp: String?
    /// Left half of SHA-256 of the access token issued with it (Core §3.1.3.6).
    public var atHash: String?
    public var sid: String?
    public var name: String?
    public var preferredUsername: String?
    public var email: String?

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, nonce, acr, amr, azp, sid, name, email
        case authTime = "auth_time", atHash = "at_hash", preferredUsername = "preferred_username"
    }

    public init(iss: String, sub: String, aud: String, exp: Int, iat: Int, authTime: Int? = nil, nonce: String? = nil,
                acr: String? = nil, amr: [String]? = nil, azp: String? = nil, atHash: String? = nil, sid: String? = nil,
                name: String? = nil, preferredUsername: String? = nil, email: String? = nil) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.authTime = authTime
        self.nonce = nonce
        self.acr = acr
        self.amr = amr
        self.azp = azp
        self.atHash = atHash
        self.sid = sid
        self.name = name
        self.preferredUsername = preferredUsername
        self.email = email
    }
}

/// The claims of an access token: a JWT in the RFC 9068 profile (`typ: at+jwt`).
public struct AccessTokenClaims: Codable, Sendable, Equatable {
    public var iss: String
    /// The user's id, or the application's `client_id` for the client-credentials grant.
    public var sub: String
    public var aud: [String]
    public var exp: Int
    public var iat: Int
    public var jti: String
    public var clientID: String
    /// Space-separated scopes.
    public var scope: String
    public var authTime: Int?
    public var acr: String?
    public var amr: [String]?
    /// Directory role template ids (Entra's `wids`), only in tokens for the admin API.
    public var wids: [String]?
    /// `user` or `app` (Entra's `idtyp`).
    public var idtyp: String

    enum CodingKeys: String, CodingKey {
        case iss, sub, aud, exp, iat, jti, scope, acr, amr, wids, idtyp
        case clientID = "client_id", authTime = "auth_time"
    }

    public init(iss: String, sub: String, aud: [String], exp: Int, iat: Int, jti: String, clientID: String, scope: String,
                authTime: Int? = nil, acr: String? = nil, amr: [String]? = nil, wids: [String]? = nil, idtyp: String) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.iat = iat
        self.jti = jti
        self.clientID = clientID
        self.scope = scope
        self.authTime = authTime
        self.acr = acr
        self.amr = amr
        self.wids = wids
        self.idtyp = idtyp
    }

    public var scopes: [String] { scope.split(separator: " ").map(String.init) }
}

/// The claims of a `private_key_jwt` client assertion (RFC 7523 §3). `aud` may be a string or an array.
public struct ClientAssertionClaims: Codable, Sendable, Equatable {
    public var iss: String
    public var sub: String
    public var aud: [String]
    public var exp: Int
    public var jti: String
    public var iat: Int?
    public var nbf: Int?

    enum CodingKeys: String, CodingKey { case iss, sub, aud, exp, jti, iat, nbf }

    public init(iss: String, sub: String, aud: [String], exp: Int, jti: String, iat: Int? = nil, nbf: Int? = nil) {
        self.iss = iss
        self.sub = sub
        self.aud = aud
        self.exp = exp
        self.jti = jti
        self.iat = iat
        self.nbf = nbf
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        iss = try c.decode(String.self, forKey: .iss)
        sub = try c.decode(String.self, forKey: .sub)
        if let one = try? c.decode(String.self, forKey: .aud) { aud = [one] } else { aud = try c.decode([String].self, forKey: .aud) }
        exp = try c.decode(Int.self, forKey: .exp)
        jti = try c.decode(String.self, forKey: .jti)
        iat = try c.decodeIfPresent(Int.self, forKey: .iat)
        nbf = try c.decodeIfPresent(Int.self, forKey: .nbf)
    }
}

/// What a sign-in's methods are worth: the `acr` of the tokens, from the session's RFC 8176
/// methods, so an application can tell a passwordless phone sign-in from password + push, and
/// what an `acr_values` request needs (decision 0025). Tandem's four names, and OpenID EAP ACR
/// Values 1.0's `phr` (phishing-resistant) and `phrh` (phishing-resistant, hardware-protected key).
public enum OIDCAssurance {
    /// Password only (or any sign-in).
    public static let password = "urn:tandem:acr:pwd"
    /// Entra's "Multifactor authentication" strength: password then a second factor (push with
    /// number matching, or a verification code), a Temporary Access Pass, or anything stronger.
    public static let multiFactor = "urn:tandem:acr:mfa"
    /// Entra's "Passwordless MFA": phone sign-in (a PIN-protected key on the phone answered a push
    /// with number matching, or a CIBA approval) or a passkey.
    public static let passwordless = "urn:tandem:acr:passwordless"
    /// Entra's "Phishing-resistant MFA": a passkey with user verification.
    public static let phishingResistant = "urn:tandem:acr:phishing-resistant"
    /// OpenID EAP ACR Values 1.0: phishing-resistant.
    public static let phr = "phr"
    /// OpenID EAP ACR Values 1.0: phishing-resistant with a hardware-protected key (a device-bound passkey).
    public static let phrh = "phrh"

    public static let all = [password, multiFactor, passwordless, phishingResistant, phr, phrh]

    /// Whether Tandem knows the value (unknown `acr_values` are ignored, Core §3.1.2.1).
    public static func isKnown(_ acr: String) -> Bool { all.contains(acr) }

    /// The authentication strength an `acr` value needs (`nil`: none, or an unknown value).
    public static func strength(for acr: String) -> AuthenticationStrength? {
        switch acr {
        case multiFactor: .mfa
        case passwordless: .passwordlessMFA
        case phishingResistant, phr, phrh: .phishingResistantMFA
        default: nil
        }
    }

    /// Whether a sign-in with these methods reaches `acr` (evaluated by `AuthenticationStrength`).
    public static func reaches(_ methods: [String], _ acr: String) -> Bool {
        guard isKnown(acr) else { return false }
        if acr == phrh { return AuthenticationStrength.isHardwareBound(methods) }
        guard let strength = strength(for: acr) else { return true }
        return strength.isSatisfied(by: methods)
    }

    /// The value of `requested` (the client's order of preference) that a sign-in with these
    /// methods reaches, `nil` if it reaches none of them. With nothing requested: the default `acr`.
    public static func satisfied(_ methods: [String], _ requested: [String]) -> String? {
        let known = requested.filter(isKnown)
        guard !known.isEmpty else { return acr(for: methods) }
        return known.first { reaches(methods, $0) }
    }

    /// Tandem's `acr` name of a strength.
    public static func name(of strength: AuthenticationStrength) -> String {
        switch strength {
        case .mfa: multiFactor
        case .passwordlessMFA: passwordless
        case .phishingResistantMFA: phishingResistant
        }
    }

    /// The default `acr` for a set of methods (no `acr_values` asked): Tandem's name of the
    /// strongest strength the sign-in satisfies.
    public static func acr(for methods: [String]) -> String {
        AuthenticationStrength.strongest(satisfiedBy: methods).map(name(of:)) ?? password
    }
}
