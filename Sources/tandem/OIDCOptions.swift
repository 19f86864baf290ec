import ArgumentParser
import Foundation
import TandemCore
import TandemServer
import TandemServices
import TandemStore

/// `tandem serve`'s OpenID Connect options. The secret key is read from the environment in
/// `apply`, not as a default value, so `--help` never prints it.
struct OIDCOptions: ParsableArguments {
    @Option(name: .customLong("secret-key"),
            help: "Secret (32+ characters) that seals the OIDC signing keys in the store (env TANDEM_SECRET_KEY). Default: the --secret-key-file.")
    var secretKey: String?
    @Option(name: .customLong("secret-key-file"),
            help: "File holding the secret key, created (mode 0600) on first start (env TANDEM_SECRET_KEY_FILE). Default: tandem.secret-key in the data directory.")
    var secretKeyFile: String?
    @Option(name: .customLong("id-token-lifetime"), help: "ID token lifetime in seconds, 60-86400.")
    var idTokenLifetime: Double = Double(environment("TANDEM_ID_TOKEN_LIFETIME") ?? "") ?? 3600
    @Option(name: .customLong("access-token-lifetime"), help: "Access token lifetime in seconds, 60-86400.")
    var accessTokenLifetime: Double = Double(environment("TANDEM_ACCESS_TOKEN_LIFETIME") ?? "") ?? 600
    @Option(name: .customLong("refresh-token-lifetime"), help: "Refresh token lifetime in seconds, 300-31536000.")
    var refreshTokenLifetime: Double = Double(environment("TANDEM_REFRESH_TOKEN_LIFETIME") ?? "") ?? 14 * 86_400
    @Option(name: .customLong("signing-key-rotation"), help: "Days before a new OIDC signing key is made, 1-365.")
    var signingKeyRotation: Double = Double(environment("TANDEM_SIGNING_KEY_ROTATION") ?? "") ?? 30

    /// Writes the lifetimes and the secret key into `config`; returns a line saying where the key
    /// came from (never the key).
    func apply(to config: inout TandemConfiguration, defaultFile: String, dataDirectory: String) throws -> String {
        config.oidc.idTokenLifetime = idTokenLifetime
        config.oidc.accessTokenLifetime = accessTokenLifetime
        config.oidc.refreshTokenLifetime = refreshTokenLifetime
        config.oidc.signingKeyRotation = signingKeyRotation * 86_400
        let explicit = secretKey ?? environment("TANDEM_SECRET_KEY")
        let file = secretKeyFile ?? environment("TANDEM_SECRET_KEY_FILE") ?? defaultFile
        if explicit?.isEmpty ?? true {
            try DataDirectory.prepare(dataDirectory)
            try DataDirectory.checkSecretKeyFile(file)
        }
        do {
            let (secret, created) = try OIDCSecretKey.resolve(explicit: explicit, file: file, random: SystemRandomSource())
            config.secretKey = secret
            if explicit != nil && !(explicit ?? "").isEmpty { return "OIDC signing keys are sealed with the configured secret key" }
            let shared = PostgresURL.isPostgres(config.databasePath)
                ? "; every instance on this database needs the same key (--secret-key or TANDEM_SECRET_KEY)" : " (keep it with the database)"
            return created ? "OIDC signing keys are sealed with a new secret key in \(file)\(shared)"
                : "OIDC signing keys are sealed with the secret key in \(file)\(shared)"
        } catch let error as TandemError {
            throw CLIError(error.message)
        }
    }
}
