import ArgumentParser
import Foundation
import TandemCore
import TandemServer
import TandemServices
import TandemStore

extension Admin {
    /// `tandem admin tap …`: Temporary Access Passes, on the database directly.
    struct TAP: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tap", abstract: "Issue, list and delete Temporary Access Passes.",
            subcommands: [Create.self, List.self, Delete.self])

        enum Usage: String, EnumerableFlag {
            case oneTime, multiUse

            static func help(for value: Usage) -> ArgumentHelp? {
                value == .oneTime ? "The pass works for one sign-in." : "The pass works until it expires (default)."
            }
        }

        struct Create: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Issue a pass for a user and print it (shown only this once).")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "The user principal name or id.") var user: String
            @Option(help: "Minutes the pass works, 10-43200 (30 days).") var lifetime: Int = TemporaryAccessPassService.defaultLifetime
            @Flag(exclusivity: .exclusive) var usage: Usage = .multiUse
            @Option(help: "Characters, 8-48.") var length: Int = TemporaryAccessPassService.defaultLength
            @Option(name: .customLong("as"), help: "Act as this administrator (their roles and boundary apply; audited as them).") var actorName: String?

            func run() async throws {
                let (pass, code, upn) = try await Admin.run(db) { env in
                    let user = try await Admin.user(user, env)
                    let created = try await TemporaryAccessPassService(env: env).create(
                        for: user, .init(lifetimeMinutes: lifetime, isUsableOnce: usage == .oneTime, length: length),
                        by: try await Admin.actor(actorName, env))
                    return (created.pass, created.code, user.userPrincipalName)
                }
                print("Temporary Access Pass for \(upn): \(code)")
                print("  id \(pass.id), \(pass.isUsableOnce ? "one sign-in" : "any number of sign-ins") until \(ISO8601DateFormatter().string(from: pass.endAt))")
            }
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List a user's passes (never the pass itself).")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "The user principal name or id.") var user: String

            func run() async throws {
                try await Admin.run(db) { env in
                    let now = env.clock.now()
                    for pass in try await TemporaryAccessPassService(env: env).passes(of: try await Admin.user(user, env)) {
                        print("\(pass.id) \(pass.usability(at: now).rawValue) \(pass.isUsableOnce ? "one-time" : "multi-use") until \(ISO8601DateFormatter().string(from: pass.endAt))")
                    }
                }
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete a user's pass.")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "The user principal name or id.") var user: String
            @Argument(help: "The pass's id (from list).") var id: String
            @Option(name: .customLong("as"), help: "Act as this administrator (their roles and boundary apply; audited as them).") var actorName: String?

            func run() async throws {
                try await Admin.run(db) { env in
                    let user = try await Admin.user(user, env)
                    guard let pass = try await env.storage.temporaryAccessPass(id: id), pass.userID == user.id else {
                        throw TandemError(.notFound, "no pass \(id) for \(user.userPrincipalName)")
                    }
                    try await TemporaryAccessPassService(env: env).delete(pass, of: user, by: try await Admin.actor(actorName, env))
                    print("deleted")
                }
            }
        }
    }
}
