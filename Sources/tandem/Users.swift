import ArgumentParser
import Foundation
import TandemCore
import TandemServer
import TandemServices
import TandemStore

struct Users: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage users directly in the database.", subcommands: [Add.self, List.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Add a user.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "User principal name, e.g. alice@contoso.com") var userPrincipalName: String
        @Option(name: .customLong("display-name")) var displayName: String?
        @Option(help: "Password (or env TANDEM_PASSWORD, or a line on standard input with --password-stdin).") var password: String?
        @Flag(name: .customLong("password-stdin")) var passwordStdin = false
        @Flag(name: .customLong("no-password"), help: "Create the user without a password.") var noPassword = false
        @Option(name: .customLong("bcrypt-cost")) var bcryptCost: Int = Int(environment("TANDEM_BCRYPT_COST") ?? "") ?? 10

        func run() async throws {
            guard (4...16).contains(bcryptCost) else { throw fail("--bcrypt-cost must be between 4 and 16") }
            var secret = password ?? environment("TANDEM_PASSWORD")
            if passwordStdin { secret = readLine(strippingNewline: true) }
            if noPassword { secret = nil } else if secret == nil { throw fail("give --password, TANDEM_PASSWORD, --password-stdin or --no-password") }
            let passwords = BcryptPasswordHasher(cost: bcryptCost)
            do {
                let user = try await withStore(db) { store in
                    let env = ServiceEnvironment(storage: store, push: NoPush(), events: NoEvents(), passwords: passwords, clock: SystemClock(),
                                                 random: SystemRandomSource(), settings: ServiceSettings(publicURL: ""))
                    return try await DirectoryService(env: env).addUser(userPrincipalName: userPrincipalName, displayName: displayName, password: secret)
                }
                print("added \(user.userPrincipalName) (id \(user.id))")
            } catch let error as TandemError {
                throw fail(error.message)
            } catch {
                throw fail("\(error)")
            }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List users.")
        @OptionGroup var db: DatabaseOptions

        func run() async throws {
            do {
                let users = try await withStore(db) { try await $0.users() }
                for user in users.sorted(by: { $0.userPrincipalName < $1.userPrincipalName }) {
                    print("\(user.id)  \(user.userPrincipalName)  \(user.displayName)\(user.accountEnabled ? "" : "  (disabled)")")
                }
            } catch {
                throw fail("\(error)")
            }
        }
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create or upgrade the database schema.")
    @OptionGroup var db: DatabaseOptions

    func run() async throws {
        do {
            let applied = try await withStore(db, migrate: false) { try await $0.migrate() }
            print(applied.isEmpty ? "schema is up to date" : "applied migrations \(applied.map(String.init).joined(separator: ", "))")
        } catch {
            throw fail("\(error)")
        }
    }
}
