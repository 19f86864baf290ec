import Foundation
import Logging
import ServiceLifecycle
import TandemCore
import TandemPush
import TandemServices

/// How often housekeeping runs and how long what it purges is kept.
///
/// | flag / environment | meaning | default |
/// |---|---|---|
/// | `--housekeeping-interval` / `TANDEM_HOUSEKEEPING_INTERVAL` | seconds between passes, 10–86400 (the first runs at start) | `3600` |
/// | `--sign-in-log-retention` / `TANDEM_SIGN_IN_LOG_RETENTION` | days sign-in log rows, their push requests and delivery trails are kept, 1–3650 | `30` |
/// | `--audit-log-retention` / `TANDEM_AUDIT_LOG_RETENTION` | days audit log entries are kept, 1–3650 | `30` |
///
/// Flows, activation codes, sessions, remembered browsers and OIDC codes, tokens and requests go
/// one hour after they expire (`expiredGrace`), so a just-expired one still gets its "expired"
/// answer rather than "unknown".
public struct HousekeepingSettings: Sendable, Equatable {
    public var interval: TimeInterval = 3600
    public var signInRetention: TimeInterval = 30 * 86_400
    public var auditRetention: TimeInterval = 30 * 86_400
    public var expiredGrace: TimeInterval = 3600

    public init() {}

    public func validate() -> String? {
        if !(10...86_400).contains(interval) { return "--housekeeping-interval must be between 10 and 86400 seconds" }
        if !(86_400...3650 * 86_400).contains(signInRetention) { return "--sign-in-log-retention must be between 1 and 3650 days" }
        if !(86_400...3650 * 86_400).contains(auditRetention) { return "--audit-log-retention must be between 1 and 3650 days" }
        return nil
    }
}

/// One housekeeping pass over the store, with the cut-offs taken from the injected clock.
public struct Housekeeping: Sendable {
    public let storage: any TandemStorage
    public let clock: any TandemClock
    public let settings: HousekeepingSettings
    public let logger: Logger

    public init(storage: any TandemStorage, clock: any TandemClock, settings: HousekeepingSettings, logger: Logger) {
        self.storage = storage
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    /// Rows removed by one pass, per area.
    public struct Report: Sendable, Equatable {
        public var challenges = 0, flows = 0, activations = 0, sessions = 0, oidc = 0, signIns = 0, audits = 0
        public var total: Int { challenges + flows + activations + sessions + oidc + signIns + audits }
    }

    /// Purges every area; an area that fails is logged and the others still run.
    @discardableResult
    public func runOnce() async -> Report {
        let now = clock.now()
        let expired = now.addingTimeInterval(-settings.expiredGrace)
        let logs = now.addingTimeInterval(-settings.signInRetention)
        var report = Report()
        func area(_ name: String, _ body: () async throws -> Int) async -> Int {
            do { return try await body() } catch {
                logger.warning("housekeeping failed", metadata: ["tandem.housekeeping.area": "\(name)", "tandem.error": "\(String(describing: error).prefix(200))"])
                return 0
            }
        }
        report.flows = await area("flows") { try await storage.purgeFlows(before: expired) }
        report.activations = await area("activations") { try await storage.purgeActivations(before: expired) }
        report.sessions = await area("sessions") { try await storage.purgeSessions(before: expired) }
        report.oidc = await area("oidc") { try await storage.purgeOIDC(before: expired) }
        // A push request and its delivery trail are the detail of a sign-in log row: kept as long.
        report.challenges = await area("challenges") { try await storage.purgeChallenges(before: logs) }
        report.signIns = await area("signIns") { try await storage.purgeSignIns(before: logs) }
        report.audits = await area("audits") { try await storage.purgeAudits(before: now.addingTimeInterval(-settings.auditRetention)) }
        if report.total > 0 {
            logger.info("housekeeping purged expired records", metadata: [
                "tandem.housekeeping.challenges": "\(report.challenges)", "tandem.housekeeping.flows": "\(report.flows)",
                "tandem.housekeeping.activations": "\(report.activations)", "tandem.housekeeping.sessions": "\(report.sessions)",
                "tandem.housekeeping.oidc": "\(report.oidc)", "tandem.housekeeping.signIns": "\(report.signIns)",
                "tandem.housekeeping.audits": "\(report.audits)",
            ])
        }
        return report
    }
}

/// Runs `Housekeeping` at start and then every `interval` while the application runs (one of the
/// application's `services`); stops at graceful shutdown.
struct HousekeepingService: Service {
    let housekeeping: Housekeeping

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await housekeeping.runOnce()
                try? await Task.sleep(for: .milliseconds(Int64(housekeeping.settings.interval * 1000)))
            }
        }
    }
}

/// The application's `services`: the instance relay (several instances on PostgreSQL) and
/// housekeeping, when configured.
func backgroundServices(relay: InstanceRelay?, housekeeping: Housekeeping?) -> [any Service] {
    var services: [any Service] = []
    if let relay { services.append(InstanceBusService(relay: relay)) }
    if let housekeeping { services.append(HousekeepingService(housekeeping: housekeeping)) }
    return services
}
