import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdWebSocket
import Logging
import NIOCore
import Synchronization
import TandemCore
import TandemPush
import TandemServices

/// The URL the server is reached at, known once it has bound its port.
final class PublicURLBox: Sendable {
    private let value: Mutex<String>
    init(_ url: String) { value = Mutex(url) }
    func get() -> String { value.withLock { $0 } }
    func set(_ url: String) { value.withLock { $0 = url } }
}

/// The composition root: the same function serves `tandem serve` and the tests.
///
/// The caller owns `storage` (opens it before, closes it after the application stops). With a
/// `bus` (several instances on one PostgreSQL), pushes, withdrawals and browser wake-ups also
/// cross to the other instances.
public func buildApplication(
    configuration: TandemConfiguration,
    storage: any TandemStorage,
    passwords: any PasswordHasher,
    clock: any TandemClock = SystemClock(),
    random: any RandomSource = SystemRandomSource(),
    logger: Logger = Logger(label: "tandem"),
    bus: (any InstanceBus)? = nil,
    onRunning: (@Sendable (_ port: Int, _ publicURL: String) async -> Void)? = nil
) throws -> some ApplicationProtocol {
    let publicURL = PublicURLBox(configuration.resolvedPublicURL(boundPort: configuration.port))
    let settings = {
        var settings = ServiceSettings(challengeLifetime: configuration.challengeLifetime, numberDigits: configuration.numberDigits,
                                       publicURL: publicURL.get())
        settings.attestationRoots = configuration.fido2AttestationRoots
        return settings
    }()
    let hub = PushHub()
    let watch = ChallengeWatch()
    let relay = bus.map { bus in
        InstanceRelay.make(hub: hub, watch: watch, bus: bus, storage: storage) { device in
            try await DeviceService(env: ServiceEnvironment(storage: storage, push: hub, events: watch, passwords: passwords, clock: clock,
                                                            random: random, settings: settings)).pending(for: device)
        }
    }
    let metrics = PrometheusSignInMetrics()
    let webPush = WebPushWiring(configuration: configuration, storage: storage, clock: clock, random: random,
                                publicURL: { publicURL.get() }, registry: metrics.registry, logger: logger)
    var env = ServiceEnvironment(storage: storage, push: webPush.notifier(wrapping: relay?.notifier ?? hub), events: relay?.events ?? watch, passwords: passwords,
                                 clock: clock, random: random, settings: settings, metrics: metrics,
                                 locator: TandemLocator(storage: storage, geoipDirectory: configuration.geoipDirectory),
                                 alerts: configuration.alertWebhook.map { WebhookAlerts(url: $0, logger: logger) as any AdminAlerts } ?? NoAlerts(),
                                 revocation: GrantRevocation(storage: storage, clock: clock))
    // Verification-code secrets are sealed at rest with the server's secret key (decision 0027).
    env.sealer = RadiusSecretBox(secretKey: configuration.secretKey, random: random)
    let trail = DeliveryTrail(env: env)
    Task { await hub.observeSends { challengeID, deviceID in await trail.record(challengeID, "sent", channel: "websocket", deviceID: deviceID) } }
    let pages = try PageRenderer()
    let signIn = SignInService(env: env)
    let registration = RegistrationService(env: env)
    let oidc = OIDCWiring(configuration: configuration, env: env, issuer: { publicURL.get() }, logger: logger)

    let router = Router(context: TandemRequestContext.self)
    if configuration.tracing {   // outermost, so the span covers every other middleware (decision 0029)
        router.add(middleware: RequestTracingMiddleware(scheme: configuration.tls == nil ? "http" : "https"))
    }
    router.add(middleware: SecurityHeadersMiddleware(security: WebSecurity(secretKey: configuration.secretKey,
                                                                          secureCookies: configuration.secureCookies)))
    router.add(middleware: ClientAddressMiddleware(proxies: configuration.trustedProxies))
    let shedding = LoadSheddingMetrics(registry: metrics.registry)
    let shedder = shedding.makeShedder(limits: configuration.load)
    router.add(middleware: LoadSheddingMiddleware(shedder: shedder, pages: pages))   // decision 0028
    router.add(middleware: RequestMemoMiddleware())
    router.add(middleware: ErrorMiddleware(pages: pages))
    router.add(middleware: PathParameterDecodingMiddleware())   // every {param} percent-decoded once (decision 0026)
    router.add(middleware: GraphQueryOptionsMiddleware())       // /v1.0 query options a route does not read: 400
    router.get("/health") { _, _ in JSONResponse.make(["status": "ok"]) }
    HealthEndpoints.register(on: router, storage: storage)   // GET /healthz, /readyz
    OpenAPIDocument.register(on: router)   // GET /openapi.json (docs/openapi.json)
    router.get("/metrics") { request, _ in
        try MetricsAccess(token: configuration.metricsToken).check(request)
        shedding.update(from: shedder)
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: .init(byteBuffer: ByteBuffer(bytes: await metrics.exposition(hub: hub, watch: watch))))
    }
    router.get("/static/{script}") { _, context in
        let name = try context.parameters.require("script")
        guard let script = PageScripts.byName[name] else { throw TandemError(.notFound, "No such file.") }
        return Response(status: .ok, headers: [.contentType: "text/javascript; charset=utf-8", .cacheControl: "max-age=3600"],
                        body: .init(byteBuffer: ByteBuffer(string: script)))
    }
    router.get("/static/tandem.css") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/css; charset=utf-8", .cacheControl: "max-age=3600"],
                 body: .init(byteBuffer: ByteBuffer(string: PageTemplates.stylesheet)))
    }
    let applications = OIDCApplicationContext(storage: storage, fallback: settings.applicationName)
    SignInController(signIn: signIn, pages: pages, settings: settings, secureCookies: configuration.secureCookies,
                     random: random, applications: applications).register(on: router)
    SecurityInfoController(signIn: signIn, registration: registration, security: SecurityInfoService(env: env), pages: pages,
                           publicURL: { publicURL.get() }, applications: applications).register(on: router)
    WebAuthenticatorController(assets: WebAuthenticatorAssets(), publicURL: { publicURL.get() }).register(on: router)
    PasskeySignInController(signIn: signIn, publicURL: { publicURL.get() }, secureCookies: configuration.secureCookies,
                            applications: applications).register(on: router)
    try AdminPagesController(signIn: signIn, env: env, oidcSettings: oidc.oidc.settings).register(on: router)
    let graph = GraphController(tokens: oidc.adminTokens, access: AdminAccess(env: env),
                                policy: PolicyService(env: env), admin: DirectoryAdminService(env: env), storage: storage,
                                publicURL: { publicURL.get() }, env: env, oidcBearer: oidc.adminBearer)
    graph.register(on: router)
    RadiusWiring.registerAdmin(on: router, graph: graph, configuration: configuration, env: env)
    oidc.register(on: router, signIn: signIn, pages: pages, actor: graph.actor)
    DeviceController(devices: DeviceService(env: env), challenges: ChallengeService(env: env), registration: registration,
                     hub: hub, random: random, applicationName: settings.applicationName, publicURL: { publicURL.get() },
                     webAuthenticator: WebAuthenticatorService(env: env),
                     authenticationTimeout: .milliseconds(Int64(configuration.connections.headerTimeout * 1000))).register(on: router)

    webPush.register(on: router, env: env)   // GET /device/v1/web-push, PUT/DELETE /device/v1/push-subscription

    let webSocketResponder = router.buildResponder()
    let counter = ConnectionCounter(limit: configuration.connections.perAddress)
    let limits = configuration.connections
    return Application(
        router: router,
        server: HTTPServerBuilder { responder in
            GuardedServerChannel(
                inner: HTTP1WebSocketUpgradeChannel(
                    responder: responder, webSocketResponder: webSocketResponder,
                    configuration: .init(http1: .init(idleTimeout: .milliseconds(Int64(limits.idleTimeout * 1000))))),
                counter: counter, headerTimeout: .milliseconds(Int64(limits.headerTimeout * 1000)),
                proxies: configuration.trustedProxies, tls: configuration.tls)
        },
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "Tandem"),
        services: backgroundServices(relay: relay, housekeeping: configuration.housekeeping.map {
            Housekeeping(storage: storage, clock: clock, settings: $0, logger: logger) })
            + RadiusWiring.services(configuration: configuration, env: env, metrics: metrics, logger: logger),
        onServerRunning: { channel in
            let port = channel.localAddress?.port ?? configuration.port
            publicURL.set(configuration.resolvedPublicURL(boundPort: port))
            await onRunning?(port, publicURL.get())
        },
        logger: logger
    )
}
