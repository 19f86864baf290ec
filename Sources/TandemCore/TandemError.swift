/// The one error type of Tandem's domain and services. Equality is on the code only.
public struct TandemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, coarsely enough to map to an HTTP status at the edge.
    public enum Code: String, Sendable, Codable {
        case badRequest, unauthorized, forbidden, notFound, conflict, expired, locked, tooManyRequests, unavailable
        /// An `If-Match` that no longer matches (HTTP 412).
        case preconditionFailed
    }

    public var code: Code
    /// A short, client-safe message. Never contains a secret.
    public var message: String
    /// A finer code for the JSON error body than `code` gives (e.g. `passkeyRequired`,
    /// `counterRegression`); the HTTP status still follows `code`.
    public var wireCode: String?
    /// The server's clock (Unix seconds) for the JSON error body's `serverTime`: set on a signed
    /// device request whose time is too far from it (`clockSkew`, decision 0028), so the phone
    /// can correct its offset and sign again.
    public var serverTime: Int64?

    public init(_ code: Code, _ message: String, wireCode: String? = nil, serverTime: Int64? = nil) {
        self.code = code
        self.message = message
        self.wireCode = wireCode
        self.serverTime = serverTime
    }

    public static func == (lhs: TandemError, rhs: TandemError) -> Bool { lhs.code == rhs.code }

    public var description: String { "\(code.rawValue): \(message)" }
}
