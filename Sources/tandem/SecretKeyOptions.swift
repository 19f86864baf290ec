import ArgumentParser
import Foundation
import TandemCore
import TandemServer
import TandemServices

/// The secret key that seals the signing keys in the store, for commands that sign on the
/// database directly (`tandem admin token`). Same options, environment and default file as
/// `tandem serve`, read in `resolve` (never as a default value, so `--help` never prints it).
struct SecretKeyOptions: ParsableArguments {
    @Option(name: .customLong("secret-key"),
            help: "The server's secret key (env TANDEM_SECRET_KEY). Default: the --secret-key-file.")
    var secretKey: String?
    @Option(name: .customLong("secret-key-file"),
            help: "File holding the server's secret key (env TANDEM_SECRET_KEY_FILE). Default: tandem.secret-key in the data directory.")
    var secretKeyFile: String?

    func resolve(_ db: DatabaseOptions) throws -> String {
        let explicit = secretKey ?? environment("TANDEM_SECRET_KEY")
        let file = secretKeyFile ?? environment("TANDEM_SECRET_KEY_FILE") ?? db.secretKeyPath
        if explicit?.isEmpty ?? true {
            try DataDirectory.prepare(db.dataDirectory)
            try DataDirectory.checkSecretKeyFile(file)
        }
        do {
            return try OIDCSecretKey.resolve(explicit: explicit, file: file, random: SystemRandomSource()).secret
        } catch let error as TandemError {
            throw CLIError(error.message)
        }
    }
}
