import ArgumentParser
import AuthenticatorKit
import Foundation

/// Options every subcommand takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The authenticator's folder (accounts and keys).",
        discussion: "Default: $TANDEM_AUTHENTICATOR_HOME, else ~/.tandem-authenticator.",
        valueName: "dir"))
    var home: String?

    /// The home folder: `--home`, else `$TANDEM_AUTHENTICATOR_HOME`, else `~/.tandem-authenticator`.
    var homeURL: URL {
        if let home, !home.isEmpty { return URL(fileURLWithPath: (home as NSString).expandingTildeInPath) }
        if let env = ProcessInfo.processInfo.environment["TANDEM_AUTHENTICATOR_HOME"], !env.isEmpty {
            return URL(fileURLWithPath: (env as NSString).expandingTildeInPath)
        }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".tandem-authenticator")
    }

    /// The authenticator over the home folder.
    func authenticator() -> Authenticator {
        Authenticator(home: homeURL)
    }
}
