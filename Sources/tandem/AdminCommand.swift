import ArgumentParser
import Foundation
import TandemCore
import TandemServer
import TandemServices
import TandemStore

/// `tandem admin …`: the admin API's operations, run on the database directly.
struct Admin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Administer Tandem on the database directly (roles, groups, policy, MFA settings, methods, API tokens).",
        subcommands: [Token.self, Roles.self, Groups.self, Policy.self, MFASettings.self, Methods.self, RevokeSessions.self, Blocked.self, SignIns.self, Locations.self, Protection.self, Apps.self, TAP.self, RadiusClients.self])

    /// Runs `body` with a service environment over the store; errors become one line and exit 1.
    static func run<T>(_ db: DatabaseOptions, _ body: (ServiceEnvironment) async throws -> T) async throws -> T {
        do {
            return try await withStore(db) { store in
                let env = ServiceEnvironment(storage: store, push: NoPush(), events: NoEvents(), passwords: BcryptPasswordHasher(cost: 10),
                                             clock: SystemClock(), random: SystemRandomSource(),
                                             settings: ServiceSettings(publicURL: environment("TANDEM_PUBLIC_URL") ?? "http://127.0.0.1:8080"))
                return try await body(env)
            }
        } catch let error as TandemError {
            throw fail(error.message)
        } catch let error as ExitCode {
            throw error
        } catch {
            throw fail("\(error)")
        }
    }

    static func user(_ name: String, _ env: ServiceEnvironment) async throws -> User {
        try await DirectoryAdminService(env: env).user(name)
    }

    /// The administrator named by `--as`, whose roles and boundary (`AdminAccess`) then apply and
    /// who is recorded in the audit log; `nil` (no `--as`) is the command line itself.
    static func actor(_ name: String?, _ env: ServiceEnvironment) async throws -> User? {
        guard let name else { return nil }
        let actor = try await user(name, env)
        try await AdminAccess(env: env).require(actor, anyOf: AdminAccess.methodAdmins)
        return actor
    }

    static func group(_ name: String, _ env: ServiceEnvironment) async throws -> Group {
        if let group = try await env.storage.group(id: name) { return group }
        let matches = try await env.storage.groups().filter { $0.displayName.lowercased() == name.lowercased() }
        guard matches.count == 1 else { throw TandemError(.notFound, matches.isEmpty ? "no group named \(name)" : "several groups are named \(name); use the id") }
        return matches[0]
    }

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a bearer token for the admin API (/v1.0).")
        @OptionGroup var db: DatabaseOptions
        @OptionGroup var secret: SecretKeyOptions
        @Option(help: "The administrator's user principal name.") var user: String
        @Option(help: "Lifetime in seconds (at most 86400).") var lifetime: Int = 3600

        func run() async throws {
            guard (60...86_400).contains(lifetime) else { throw fail("--lifetime must be between 60 and 86400 seconds") }
            let secretKey: String
            do { secretKey = try secret.resolve(db) } catch { throw fail("\(error)") }
            let token = try await Admin.run(db) { env in
                try await AdminOperations.token(for: try await Admin.user(user, env), lifetime: TimeInterval(lifetime), secretKey: secretKey, env: env)
            }
            print(token)
        }
    }

    struct Roles: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List, assign and remove directory roles.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "list | assign | remove") var action: String
        @Argument(help: "Role: \"Global Administrator\", \"Privileged Authentication Administrator\", \"Authentication Policy Administrator\", \"Authentication Administrator\" or a template id.")
        var role: String?
        @Argument(help: "User principal name.") var user: String?

        func run() async throws {
            try await Admin.run(db) { env in
                let admin = DirectoryAdminService(env: env)
                switch action {
                case "list":
                    for role in DirectoryRole.allCases {
                        var names: [String] = []
                        for id in try await env.storage.roleMembers(role.rawValue) {
                            if let user = try await env.storage.user(id: id) { names.append(user.userPrincipalName) }
                        }
                        print("\(role.displayName) (\(role.rawValue)): \(names.isEmpty ? "-" : names.joined(separator: ", "))")
                    }
                case "assign", "remove":
                    guard let role, let user else { throw TandemError(.badRequest, "usage: tandem admin roles \(action) <role> <user>") }
                    guard let found = DirectoryRole.named(role) else { throw TandemError(.badRequest, "unknown role \(role)") }
                    let target = try await Admin.user(user, env)
                    if action == "assign" { try await admin.assign(found, to: target, by: nil) } else { try await admin.unassign(found, from: target, by: nil) }
                    print("\(action == "assign" ? "assigned" : "removed") \(found.displayName) \(action == "assign" ? "to" : "from") \(target.userPrincipalName)")
                default:
                    throw TandemError(.badRequest, "unknown action \(action); use list, assign or remove")
                }
            }
        }
    }

    struct Groups: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Security groups and their members (users or nested groups).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "list | create | members | add-member | remove-member") var action: String
        @Argument(help: "Group display name or id.") var group: String?
        @Argument(help: "Member: a user principal name, or a group name or id.") var member: String?

        func run() async throws {
            try await Admin.run(db) { env in
                let admin = DirectoryAdminService(env: env)
                switch action {
                case "list":
                    for group in try await env.storage.groups() { print("\(group.id)  \(group.displayName)") }
                case "create":
                    guard let group else { throw TandemError(.badRequest, "usage: tandem admin groups create <name>") }
                    let created = try await admin.createGroup(displayName: group, description: nil, mailNickname: nil, by: nil)
                    print("created \(created.displayName) (id \(created.id))")
                case "members":
                    guard let group else { throw TandemError(.badRequest, "usage: tandem admin groups members <group>") }
                    for member in try await env.storage.members(groupID: try await Admin.group(group, env).id) {
                        let name = member.kind == .user ? try await env.storage.user(id: member.id)?.userPrincipalName : try await env.storage.group(id: member.id)?.displayName
                        print("\(member.kind.rawValue)  \(member.id)  \(name ?? "")")
                    }
                case "add-member", "remove-member":
                    guard let group, let member else { throw TandemError(.badRequest, "usage: tandem admin groups \(action) <group> <member>") }
                    let target = try await Admin.group(group, env)
                    let memberID: String
                    if let user = try? await Admin.user(member, env) { memberID = user.id } else { memberID = try await Admin.group(member, env).id }
                    if action == "add-member" { try await admin.addMember(memberID, to: target, by: nil) } else { try await admin.removeMember(memberID, from: target, by: nil) }
                    print("\(action == "add-member" ? "added" : "removed") \(member) \(action == "add-member" ? "to" : "from") \(target.displayName)")
                default:
                    throw TandemError(.badRequest, "unknown action \(action)")
                }
            }
        }
    }

    struct Policy: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show or change the Microsoft Authenticator configuration (Graph JSON).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "show | patch") var action: String
        @Option(help: "PATCH body (Graph JSON).") var body: String?
        @Option(help: "File with the PATCH body.") var file: String?

        func run() async throws {
            try await Admin.run(db) { env in
                switch action {
                case "show":
                    print(try await AdminOperations.policyJSON(env: env))
                case "patch":
                    let data: Data
                    if let body { data = Data(body.utf8) } else if let file {
                        guard let read = FileManager.default.contents(atPath: file) else { throw TandemError(.badRequest, "cannot read \(file)") }
                        data = read
                    } else { throw TandemError(.badRequest, "give --body or --file") }
                    try await AdminOperations.patchPolicy(data, env: env)
                    print("policy updated")
                default:
                    throw TandemError(.badRequest, "unknown action \(action); use show or patch")
                }
            }
        }
    }

    struct MFASettings: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "mfa-settings", abstract: "The legacy per-user MFA settings.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "show | set | user") var action: String
        @Argument(help: "For `user`: the user principal name, then the state (disabled, enabled, enforced).") var arguments: [String] = []
        @Option(help: "on | off") var notification: String?
        @Option(name: .customLong("verification-code"), help: "on | off") var verificationCode: String?
        @Option(name: .customLong("remember-days"), help: "Remember MFA on trusted devices, days (0 = off).") var rememberDays: Int?
        @Option(name: .customLong("trusted-ips"), help: "Comma-separated CIDR ranges that skip MFA (empty to clear).") var trustedIPs: String?

        func onOff(_ value: String?, _ name: String) throws -> Bool? {
            guard let value else { return nil }
            switch value { case "on": return true; case "off": return false
            default: throw TandemError(.badRequest, "--\(name) takes on or off") }
        }

        func run() async throws {
            try await Admin.run(db) { env in
                let policy = PolicyService(env: env)
                switch action {
                case "show":
                    let s = try await policy.legacySettings()
                    print("notification through mobile app: \(s.notificationThroughMobileApp ? "on" : "off")")
                    print("verification code from mobile app: \(s.verificationCodeFromMobileApp ? "on" : "off")")
                    print("remember MFA on trusted devices: \(s.rememberMultiFactorDays) days")
                    print("trusted IPs: \(s.trustedIPRanges.isEmpty ? "-" : s.trustedIPRanges.joined(separator: ", "))")
                    for user in try await env.storage.users() where user.mfaState != .disabled {
                        print("user \(user.userPrincipalName): \(user.mfaState.rawValue)")
                    }
                case "set":
                    var s = try await policy.legacySettings()
                    if let v = try onOff(notification, "notification") { s.notificationThroughMobileApp = v }
                    if let v = try onOff(verificationCode, "verification-code") { s.verificationCodeFromMobileApp = v }
                    if let rememberDays { s.rememberMultiFactorDays = rememberDays }
                    if let trustedIPs { s.trustedIPRanges = trustedIPs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } }
                    try await policy.saveLegacySettings(s, by: nil)
                    print("MFA settings updated")
                case "user":
                    guard arguments.count == 2, let state = MFAState(rawValue: arguments[1]) else {
                        throw TandemError(.badRequest, "usage: tandem admin mfa-settings user <user> disabled|enabled|enforced")
                    }
                    let user = try await Admin.user(arguments[0], env)
                    _ = try await DirectoryAdminService(env: env).updateUser(user, displayName: nil, accountEnabled: nil, password: nil, mfaState: state, by: nil)
                    print("\(user.userPrincipalName): per-user MFA \(state.rawValue)")
                default:
                    throw TandemError(.badRequest, "unknown action \(action); use show, set or user")
                }
            }
        }
    }

    struct Methods: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "A user's Microsoft Authenticator methods.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "list | delete") var action: String
        @Argument(help: "User principal name.") var user: String
        @Argument(help: "For delete: the method (device) id.") var method: String?
        @Option(name: .customLong("as"), help: "Act as this administrator (their roles and boundary apply; audited as them).") var actorName: String?

        func run() async throws {
            try await Admin.run(db) { env in
                let target = try await Admin.user(user, env)
                switch action {
                case "list":
                    for device in try await env.storage.devices(userID: target.id) {
                        print("\(device.id)  \(device.name)  \(device.state.rawValue)  phone sign-in \(device.phoneSignInKey == nil ? "off" : "on")")
                    }
                case "delete":
                    guard let method, let device = try await env.storage.device(id: method), device.userID == target.id, device.state != .removed else {
                        throw TandemError(.notFound, "no such method for \(target.userPrincipalName)")
                    }
                    try await DirectoryAdminService(env: env).removeDevice(device, of: target, by: try await Admin.actor(actorName, env))
                    print("deleted \(device.name)")
                default:
                    throw TandemError(.badRequest, "unknown action \(action); use list or delete")
                }
            }
        }
    }

    struct RevokeSessions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke-sessions",
            abstract: "End every session, refresh token, remembered-MFA browser and admin token of a user (Graph's revokeSignInSessions).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "User principal name or id.") var user: String
        @Option(name: .customLong("as"), help: "Act as this administrator (their roles and boundary apply; audited as them).") var actorName: String?

        func run() async throws {
            let name = try await Admin.run(db) { env in
                let target = try await Admin.user(user, env)
                try await DirectoryAdminService(env: env).revokeSignInSessions(of: target, by: try await Admin.actor(actorName, env))
                return target.userPrincipalName
            }
            print("every sign-in session of \(name) ended")
        }
    }
}
