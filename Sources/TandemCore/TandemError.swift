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

    public init(_ code: Code, _ message: String, wireCode: String? = nil) {
        self.code = code
        self.message = message
        self.wireCode = wireCode
    }

    public static func == (lhs: TandemError, rhs: TandemError) -> Bool { lhs.code == rhs.code }

    public var description: String { "\(code.rawValue): \(message)" }
}
