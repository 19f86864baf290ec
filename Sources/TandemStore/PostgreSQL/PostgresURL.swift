import Foundation
import NIOSSL
import PostgresNIO
import TandemCore

/// A `postgres://user:password@host:port/database?…` URL, read into a `PostgresClient` configuration.
///
/// Query parameters (all optional):
/// - `sslmode`: `disable`, `prefer` (default; TLS when the server offers it, not verified, like libpq),
///   `require` (TLS, not verified), `verify-full` (TLS, certificate and host name verified).
/// - `search_path`: schema for Tandem's tables, created if missing (letters, digits, `_`).
/// - `pool`: most connections the instance opens, 1–200 (default 20).
public struct PostgresURL: Sendable {
    /// The client configuration (holds the password: never print it).
    public var configuration: PostgresClient.Configuration
    /// The schema given by `search_path`, if any.
    public var schema: String?
    /// The URL with the password replaced by `***`, for logs and messages.
    public var redacted: String

    public init(_ text: String) throws {
        guard let url = URLComponents(string: text), let scheme = url.scheme?.lowercased(),
              ["postgres", "postgresql"].contains(scheme)
        else { throw TandemError(.badRequest, "The database URL must start with postgres:// or postgresql://.") }
        guard let host = url.host, !host.isEmpty else { throw TandemError(.badRequest, "The database URL has no host.") }
        guard let user = url.user, !user.isEmpty else { throw TandemError(.badRequest, "The database URL has no user name.") }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let query = Dictionary((url.queryItems ?? []).map { ($0.name.lowercased(), $0.value ?? "") }, uniquingKeysWith: { $1 })

        let tls: PostgresClient.Configuration.TLS
        switch query["sslmode"] ?? "prefer" {
        case "disable": tls = .disable
        case "allow", "prefer": tls = .prefer(Self.unverified)
        case "require": tls = .require(Self.unverified)
        case "verify-ca", "verify-full": tls = .require(.makeClientConfiguration())
        case let other: throw TandemError(.badRequest, "Unknown sslmode \(other) in the database URL.")
        }
        var configuration = PostgresClient.Configuration(
            host: host, port: url.port ?? 5432, username: user, password: url.password,
            database: database.isEmpty ? nil : database, tls: tls)
        configuration.options.additionalStartupParameters = [("application_name", "tandem")]
        if let pool = query["pool"] {
            guard let size = Int(pool), (1...200).contains(size) else { throw TandemError(.badRequest, "pool must be 1 to 200.") }
            configuration.options.maximumConnections = size
        }
        if let path = query["search_path"], !path.isEmpty {
            guard path.count <= 63, path.first.map({ $0.isLetter || $0 == "_" }) == true,
                  path.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") })
            else { throw TandemError(.badRequest, "search_path must be one schema name of letters, digits and _.") }
            schema = path.lowercased()
            configuration.options.additionalStartupParameters.append(("search_path", path.lowercased()))
        }
        self.configuration = configuration
        var shown = url
        if shown.password != nil { shown.password = "***" }
        redacted = shown.string ?? "postgres://…"
    }

    /// TLS without certificate verification: what libpq does for `prefer` and `require`.
    private static var unverified: TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = .none
        return tls
    }

    /// Whether `text` names a PostgreSQL database rather than a SQLite file.
    public static func isPostgres(_ text: String) -> Bool {
        let lower = text.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }
}
