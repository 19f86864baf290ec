import ArgumentParser
import Foundation
import TandemCore
import TandemServer
import TandemServices

extension Admin {
    /// `tandem admin radius-clients …`: the network devices that may sign people in over RADIUS
    /// (decision 0019), on the database directly (the same operations as `/v1.0/tandem/radiusClients`).
    struct RadiusClients: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "radius-clients",
            abstract: "Register RADIUS clients (VPN gateways, Wi-Fi controllers, pam_radius); each gets a generated shared secret.",
            subcommands: [List.self, Add.self, Delete.self])

        static func registry(_ env: ServiceEnvironment, secretKey: String) -> RadiusClientRegistry {
            RadiusClientRegistry(env: env, sealer: RadiusSecretBox(secretKey: secretKey, random: env.random))
        }

        struct List: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "List the RADIUS clients (never their secrets).")
            @OptionGroup var db: DatabaseOptions

            func run() async throws {
                try await Admin.run(db) { env in
                    let clients = try await env.storage.radiusClients()
                    if clients.isEmpty { print("no RADIUS clients") }
                    for client in clients {
                        print("\(client.id)  \(client.displayName)  \(client.address)  \(ISO8601DateFormatter().string(from: client.createdAt))"
                              + (client.userNameSuffix.map { "  suffix \($0)" } ?? ""))
                    }
                }
            }
        }

        struct Add: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Register a RADIUS client; prints its shared secret once.")
            @OptionGroup var db: DatabaseOptions
            @OptionGroup var secret: SecretKeyOptions
            @Argument(help: "Name (the application in the sign-in log and on the phone).") var name: String
            @Option(help: "The address or CIDR network its packets come from.") var address: String
            @Option(name: .customLong("user-name-suffix"),
                    help: "Appended to a user name without @ (e.g. @contoso.com: pam_radius sends the local login name).")
            var userNameSuffix: String?

            func run() async throws {
                let secretKey: String
                do { secretKey = try secret.resolve(db) } catch { throw fail("\(error)") }
                try await Admin.run(db) { env in
                    let (client, shared) = try await RadiusClients.registry(env, secretKey: secretKey).register(name: name, address: address,
                                                                                                                     userNameSuffix: userNameSuffix, by: nil)
                    print("registered \(client.displayName) (\(client.address))")
                    if let suffix = client.userNameSuffix { print("  user names without @ get \(suffix)") }
                    print("  id: \(client.id)")
                    print("  shared secret: \(shared)   (shown only this once)")
                }
            }
        }

        struct Delete: AsyncParsableCommand {
            static let configuration = CommandConfiguration(abstract: "Delete a RADIUS client; its packets are dropped from then on.")
            @OptionGroup var db: DatabaseOptions
            @Argument(help: "Id or name.") var client: String

            func run() async throws {
                try await Admin.run(db) { env in
                    // Deleting opens no secret: any key will do for the registry here.
                    let registry = RadiusClients.registry(env, secretKey: OIDCSecretKey.processDefault)
                    let found = try await registry.find(client)
                    try await registry.delete(found, by: nil)
                    print("deleted \(found.displayName) (\(found.address))")
                }
            }
        }
    }
}
