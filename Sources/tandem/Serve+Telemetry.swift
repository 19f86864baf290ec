import Foundation
import Logging
import OTel
import ServiceLifecycle
import Tracing

/// OpenTelemetry traces for `tandem serve` (decision 0029): only when an OTLP endpoint is set
/// (`--otel-endpoint`, `OTEL_EXPORTER_OTLP_ENDPOINT`, or `otel-endpoint` in the config file);
/// otherwise no tracer, no exporter, no middleware.
///
/// swift-otel exports spans over OTLP/HTTP with protobuf (its gRPC exporter is a package trait
/// Tandem leaves off), in batches (`OTEL_BSP_*`); its other standard variables apply as written
/// (`OTEL_SERVICE_NAME`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_EXPORTER_OTLP_HEADERS`, the
/// sampler). Its logs and metrics backends stay off: logs keep their handler, metrics `/metrics`.
enum Telemetry {
    /// Bootstraps the tracer for `endpoint` (the collector's base URL; spans go to
    /// `<endpoint>/v1/traces`) and returns the exporter's service, or `nil` without an endpoint.
    static func bootstrap(endpoint: String?, logger: Logger) throws -> (any Service)? {
        guard let endpoint, !endpoint.isEmpty else { return nil }
        // The standard switch that turns an SDK off wins over an endpoint: run without traces.
        if ProcessInfo.processInfo.environment["OTEL_SDK_DISABLED"]?.lowercased() == "true" {
            logger.notice("OTEL_SDK_DISABLED=true: traces are off")
            return nil
        }
        // The URL is not echoed: it may carry credentials.
        guard let url = URL(string: endpoint), let scheme = url.scheme?.lowercased(), ["http", "https"].contains(scheme),
              url.host?.isEmpty == false
        else { throw CLIError("--otel-endpoint must be an http or https URL") }
        // A flag wins over the environment: swift-otel reads the variable itself, so it gets the
        // value in force (the flag's, the environment's or the file's) and derives /v1/traces.
        setenv("OTEL_EXPORTER_OTLP_ENDPOINT", endpoint, 1)
        var configuration = OTel.Configuration.default
        configuration.serviceName = "tandem"
        configuration.logs.enabled = false
        configuration.metrics.enabled = false
        configuration.traces.exporter = .otlp
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.diagnosticLogger = .custom(RedactingLogHandler.logger(label: "tandem.telemetry"))
        do {
            let (tracer, service) = try OTel.makeTracingBackend(configuration: configuration)
            InstrumentationSystem.bootstrap(tracer)
            logger.info("traces exported over OTLP/HTTP", metadata: ["tandem.otlp.host": "\(url.host ?? "")"])
            return service
        } catch {
            throw CLIError("cannot start the OTLP trace exporter: \(error)")
        }
    }

    /// Runs the application, and the exporter when there is one: started first, stopped last,
    /// so the spans of the last requests are still sent on a graceful shutdown.
    static func run(_ app: some Service, exporter: (any Service)?, logger: Logger) async throws {
        guard let exporter else {
            let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            return try await group.run()
        }
        let group = ServiceGroup(configuration: .init(services: [exporter, app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}

/// swift-otel's diagnostic logger puts the values of the `OTEL_*` variables it reads into its
/// metadata (`environment_value`, `previous_value`, `new_value`), and
/// `OTEL_EXPORTER_OTLP_HEADERS` often holds a collector's token: those keys are dropped here, the
/// variable's name and the message stay.
struct RedactingLogHandler: LogHandler {
    static let dropped: Set<String> = ["environment_value", "previous_value", "new_value"]
    private var inner: any LogHandler

    /// A logger with the process's handler (text or JSON, its level) behind this one.
    static func logger(label: String) -> Logger {
        let handler = RedactingLogHandler(inner: Logger(label: label).handler)
        return Logger(label: label, factory: { _ in handler })
    }

    private init(inner: any LogHandler) { self.inner = inner }

    var metadataProvider: Logger.MetadataProvider? {
        get { inner.metadataProvider }
        set { inner.metadataProvider = newValue }
    }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue.filter { !Self.dropped.contains($0.key) } }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { if !Self.dropped.contains(key) { inner[metadataKey: key] = newValue } }
    }

    func log(event: LogEvent) {
        var event = event
        event.metadata = event.metadata?.filter { !Self.dropped.contains($0.key) }
        inner.log(event: event)
    }
}
