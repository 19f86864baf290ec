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
        configuration.diagnosticLogger = .custom(Logger(label: "tandem.telemetry"))
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
