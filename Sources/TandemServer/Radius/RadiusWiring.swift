import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TandemCore
import TandemServices

/// Puts the RADIUS server together (decision 0019): the client registry and the sign-in over the
/// application's service environment, the gate, and the UDP listener when `--radius-port` is set;
/// and the admin API's `/v1.0/tandem/radiusClients`.
enum RadiusWiring {
    static func registry(configuration: TandemConfiguration, env: ServiceEnvironment) -> RadiusClientRegistry {
        RadiusClientRegistry(env: env, sealer: RadiusSecretBox(secretKey: configuration.secretKey, random: env.random))
    }

    /// The listener, or nothing when `radiusPort` is `nil`.
    static func services(configuration: TandemConfiguration, env: ServiceEnvironment, metrics: PrometheusSignInMetrics,
                         logger: Logger) -> [any Service] {
        guard let port = configuration.radiusPort else { return [] }
        let sealer = RadiusSecretBox(secretKey: configuration.secretKey, random: env.random)
        let gate = RadiusGate(registry: RadiusClientRegistry(env: env, sealer: sealer), signIn: RadiusSignInService(env: env, sealer: sealer),
                              clock: env.clock, logger: logger, metrics: metrics.registry)
        return [RadiusListener(host: configuration.radiusListen, port: port, gate: gate, logger: logger, onBound: { _ in })]
    }

    static func registerAdmin(on router: Router<TandemRequestContext>, graph: GraphController, configuration: TandemConfiguration,
                              env: ServiceEnvironment) {
        RadiusAdminRoutes(graph: graph, registry: registry(configuration: configuration, env: env)).register(on: router.group("v1.0"))
    }
}
