import ArgumentParser
import Foundation
import TandemCore
import TandemServer
import TandemServices
import TandemStore

extension Admin {
    /// `tandem admin blocked list|unblock <user>`: users blocked after a report or locked after failures.
    struct Blocked: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Users whose push sign-in is blocked (reported) or locked (failures); unblock them.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "list | unblock") var action: String
        @Argument(help: "For unblock: the user principal name.") var user: String?

        func run() async throws {
            try await Admin.run(db) { env in
                switch action {
                case "list":
                    let risky = try await env.storage.riskyUsers()
                    if risky.isEmpty { print("no blocked or risky users") }
                    for (user, security) in risky {
                        let state = security.pushLockedAt != nil ? "locked" : (security.isPushBarred(at: env.clock.now()) ? "blocked" : "not blocked")
                        print("\(user.userPrincipalName)  \(state)  risk \(security.riskLevel)/\(security.riskState)")
                    }
                case "unblock":
                    guard let user else { throw TandemError(.badRequest, "usage: tandem admin blocked unblock <user>") }
                    let target = try await Admin.user(user, env)
                    try await ReportService(env: env).unblock(target, by: nil)
                    print("unblocked \(target.userPrincipalName)")
                default:
                    throw TandemError(.badRequest, "unknown action \(action); use list or unblock")
                }
            }
        }
    }

    /// `tandem admin sign-ins [--user U] [--top N]`: the newest sign-in log entries.
    struct SignIns: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "sign-ins", abstract: "The newest sign-in log entries.")
        @OptionGroup var db: DatabaseOptions
        @Option(help: "Only this user principal name.") var user: String?
        @Option(help: "How many, 1-1000.") var top: Int = 20

        func run() async throws {
            guard (1...1000).contains(top) else { throw fail("--top must be between 1 and 1000") }
            try await Admin.run(db) { env in
                var shown = 0
                for record in try await env.storage.signIns(limit: 5000, before: nil) where shown < top {
                    if let user, record.userPrincipalName.lowercased() != user.lowercased() { continue }
                    shown += 1
                    let steps = record.steps.map { "\($0.method): \($0.succeeded ? "ok" : "failed") (\($0.detail))" }.joined(separator: "; ")
                    print("\(ISO8601DateFormatter().string(from: record.createdAt))  \(record.userPrincipalName)  \(record.ipAddress)  \(record.location)  "
                          + "\(record.errorCode == 0 ? "success" : "failure \(record.errorCode): \(record.additionalDetails ?? record.failureReason ?? "")")  [\(steps)]")
                }
            }
        }
    }

    /// `tandem admin locations list|add <name> <cidr>...|delete <id>`: named networks shown as the request's location.
    struct Locations: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Named networks (CIDR ranges shown as a location in requests and logs).")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "list | add | delete") var action: String
        @Argument(help: "add: the name then one or more CIDR ranges; delete: the id.") var arguments: [String] = []
        @Flag(help: "Mark the location trusted.") var trusted = false

        func run() async throws {
            try await Admin.run(db) { env in
                switch action {
                case "list":
                    for location in try await env.storage.namedLocations() {
                        print("\(location.id)  \(location.displayName)  \(location.ipRanges.joined(separator: ","))\(location.isTrusted ? "  trusted" : "")")
                    }
                case "add":
                    guard arguments.count >= 2 else { throw TandemError(.badRequest, "usage: tandem admin locations add <name> <cidr> [<cidr>...]") }
                    for range in arguments.dropFirst() where CIDR(range) == nil || !range.contains("/") {
                        throw TandemError(.badRequest, "\(range) is not a CIDR range")
                    }
                    let location = NamedLocation(id: env.random.uuid(), displayName: arguments[0], ipRanges: Array(arguments.dropFirst()),
                                                 isTrusted: trusted, createdAt: env.clock.now())
                    try await env.storage.insertNamedLocation(location)
                    try await Auditor(env: env).record("Policy", "Add named location", "Add", actor: nil, targetType: "Policy", targetID: location.id,
                                                       targetName: location.displayName, property: "ipRanges", new: location.ipRanges.joined(separator: " "))
                    print("added \(location.displayName) (id \(location.id))")
                case "delete":
                    guard arguments.count == 1, try await env.storage.deleteNamedLocation(id: arguments[0]) else {
                        throw TandemError(.notFound, "no named location with that id")
                    }
                    print("deleted")
                default:
                    throw TandemError(.badRequest, "unknown action \(action); use list, add or delete")
                }
            }
        }
    }

    /// `tandem admin protection show|set`: push-bombing defences.
    struct Protection: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Push-bombing defences: pending cap, waits, failure lock, quiet requests, report block.")
        @OptionGroup var db: DatabaseOptions
        @Argument(help: "show | set") var action: String
        @Option(name: .customLong("max-pending")) var maxPending: Int?
        @Option(name: .customLong("free-pushes")) var freePushes: Int?
        @Option(name: .customLong("base-delay")) var baseDelay: Int?
        @Option(name: .customLong("max-delay")) var maxDelay: Int?
        @Option(name: .customLong("failure-lock")) var failureLock: Int?
        @Option(name: .customLong("suppress-unfamiliar"), help: "on | off") var suppress: String?
        @Option(name: .customLong("report-block-minutes"), help: "Minutes a report blocks (0 = until unblocked).") var reportBlock: Int?

        func run() async throws {
            try await Admin.run(db) { env in
                let service = PushProtectionService(env: env)
                if action == "set" {
                    var s = try await service.settings()
                    if let maxPending { s.maxPendingPerUser = maxPending }
                    if let freePushes { s.freePushes = freePushes }
                    if let baseDelay { s.baseDelaySeconds = baseDelay }
                    if let maxDelay { s.maxDelaySeconds = maxDelay }
                    if let failureLock { s.failureLockThreshold = failureLock }
                    if let suppress {
                        guard ["on", "off"].contains(suppress) else { throw TandemError(.badRequest, "--suppress-unfamiliar takes on or off") }
                        s.suppressUnfamiliarLocations = suppress == "on"
                    }
                    try await service.saveSettings(s, by: nil)
                    if let reportBlock {
                        var r = try await service.reportSettings()
                        r.blockMinutes = reportBlock
                        try await service.saveReportSettings(r, by: nil)
                    }
                } else if action != "show" {
                    throw TandemError(.badRequest, "unknown action \(action); use show or set")
                }
                let s = try await service.settings()
                let r = try await service.reportSettings()
                print("max pending per user: \(s.maxPendingPerUser)")
                print("free pushes since last success: \(s.freePushes), then waits from \(s.baseDelaySeconds)s doubling to \(s.maxDelaySeconds)s")
                print("failure lock: \(s.failureLockThreshold)")
                print("quiet requests from unfamiliar places: \(s.suppressUnfamiliarLocations ? "on" : "off")")
                print("report suspicious activity: \(r.state), block \(r.blockMinutes == 0 ? "until unblocked" : "\(r.blockMinutes) minutes")")
            }
        }
    }
}
