import Foundation

/// An `otpauth://totp/…` key URI (the "Key Uri Format" every authenticator app reads from a QR
/// code): `otpauth://totp/Issuer:alice@example.com?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30`.
///
/// The URI carries the secret: show it only to its owner, never log it.
public struct TOTPKeyURI: Sendable {
    /// Who issues the account ("Tandem", "Contoso"); shown by the app above the account name.
    public var issuer: String?
    /// The account, usually the user principal name.
    public var accountName: String
    /// The generator: secret, digits, period, algorithm.
    public var totp: TOTP

    /// Creates a URI for an account.
    public init(issuer: String?, accountName: String, totp: TOTP) {
        self.issuer = issuer
        self.accountName = accountName
        self.totp = totp
    }

    /// Characters left unescaped in the label and in query values.
    private static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~@")

    /// The URI text. Issuer and account name are percent-encoded (a space as `%20`); the issuer
    /// is both the label prefix and the `issuer` parameter, as the format recommends.
    public var string: String {
        func escape(_ text: String) -> String {
            text.addingPercentEncoding(withAllowedCharacters: Self.unreserved) ?? ""
        }
        var label = escape(accountName)
        var query = "secret=\(totp.base32Secret)"
        if let issuer, !issuer.isEmpty {
            label = escape(issuer) + ":" + label
            query += "&issuer=\(escape(issuer))"
        } else if accountName.contains(":") {
            label = ":" + label   // an empty issuer, so the account's own colon is not read as one
        }
        query += "&algorithm=\(totp.algorithm.rawValue)&digits=\(totp.digits)&period=\(totp.period)"
        return "otpauth://totp/\(label)?\(query)"
    }

    /// Parses a key URI. Throws `.badRequest` naming what is wrong: not `otpauth://totp/`, no or
    /// bad `secret`, an issuer parameter that contradicts the label's or holds a colon, unknown algorithm, digits
    /// or period out of range. `hotp` URIs are refused (counter-based codes are not supported).
    public init(parsing text: String) throws {
        func invalid(_ reason: String) -> TandemError { TandemError(.badRequest, "Invalid otpauth URI: \(reason).") }
        guard text.utf8.count <= 2048, let components = URLComponents(string: text.trimmingCharacters(in: .whitespaces)) else {
            throw invalid("not a URI")
        }
        guard components.scheme?.lowercased() == "otpauth" else { throw invalid("the scheme must be otpauth") }
        guard components.host?.lowercased() == "totp" else { throw invalid("only totp keys are supported") }
        var rawLabel = components.percentEncodedPath
        guard rawLabel.hasPrefix("/"), rawLabel.count > 1 else { throw invalid("no account name") }
        rawLabel.removeFirst()
        guard let label = rawLabel.removingPercentEncoding else { throw invalid("bad percent-encoding in the label") }
        var labelIssuer: String?
        var account = label
        if let colon = label.firstIndex(of: ":") {
            labelIssuer = String(label[..<colon]).trimmingCharacters(in: .whitespaces)
            account = String(label[label.index(after: colon)...])
        }
        account = account.trimmingCharacters(in: .whitespaces)
        guard !account.isEmpty else { throw invalid("no account name") }

        var parameters: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard parameters[item.name.lowercased()] == nil else { throw invalid("\(item.name) appears twice") }
            parameters[item.name.lowercased()] = item.value ?? ""
        }
        guard let encodedSecret = parameters["secret"], !encodedSecret.isEmpty,
              let secret = Base32.decode(encodedSecret)
        else { throw invalid("the secret must be base32") }
        let issuerParameter = parameters["issuer"]?.trimmingCharacters(in: .whitespaces)   // trimmed like the label's
        if let issuer = issuerParameter, issuer.contains(":") { throw invalid("the issuer may not contain a colon") }
        if let issuer = issuerParameter, let labelIssuer, issuer != labelIssuer {
            throw invalid("the issuer parameter and the label disagree")
        }
        guard let algorithm = TOTP.Algorithm(rawValue: (parameters["algorithm"] ?? "SHA1").uppercased()) else {
            throw invalid("the algorithm must be SHA1, SHA256 or SHA512")
        }
        guard let digits = Int(parameters["digits"] ?? "6") else { throw invalid("digits must be a number") }
        guard let period = Int(parameters["period"] ?? "30") else { throw invalid("period must be a number") }
        let totp: TOTP
        do {
            totp = try TOTP(secret: secret, digits: digits, period: period, algorithm: algorithm)
        } catch let error as TandemError {
            throw invalid(error.message.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: ".")))
        }
        self.init(issuer: (issuerParameter ?? labelIssuer).flatMap { $0.isEmpty ? nil : $0 }, accountName: account, totp: totp)
    }
}
