import ArgumentParser
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TandemCore
import TandemServer
import TandemServices
import TandemStore

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Start the Tandem server.")

    @OptionGroup var db: DatabaseOptions
    @Option(help: "Address to listen on (env TANDEM_HOST).") var host: String = environment("TANDEM_HOST") ?? "127.0.0.1"
    @Option(help: "Port, 0 for any free port (env TANDEM_PORT).") var port: Int = Int(environment("TANDEM_PORT") ?? "") ?? 8080
    @Option(name: .customLong("public-url"), help: "URL browsers and authenticators use (env TANDEM_PUBLIC_URL).")
    var publicURL: String? = environment("TANDEM_PUBLIC_URL")
    @Option(name: .customLong("challenge-lifetime"), help: "Seconds a push request can be answered, 5-600.")
    var challengeLifetime: Double = Double(environment("TANDEM_CHALLENGE_LIFETIME") ?? "") ?? 120
    @Option(name: .customLong("number-digits"), help: "Digits of the number shown, 2-8.")
    var numberDigits: Int = Int(environment("TANDEM_NUMBER_DIGITS") ?? "") ?? 2
    @Option(name: .customLong("bcrypt-cost"), help: "bcrypt cost for new passwords, 4-16.")
    var bcryptCost: Int = Int(environment("TANDEM_BCRYPT_COST") ?? "") ?? 10
    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error.")
    var logLevel: String = environment("TANDEM_LOG_LEVEL") ?? "info"
    @Option(name: .customLong("alert-webhook"), help: "URL that receives administrator alerts as JSON (env TANDEM_ALERT_WEBHOOK).")
    var alertWebhook: String? = environment("TANDEM_ALERT_WEBHOOK")
    @Option(name: .customLong("geoip-directory"), help: "Folder with GeoIP.dat/GeoIPv6.dat (Debian's geoip-database), or 'none'.")
    var geoipDirectory: String = environment("TANDEM_GEOIP_DIRECTORY") ?? "/usr/share/GeoIP"
    @Option(name: .customLong("metrics-token"), help: "Secret bearer token GET /metrics requires; without it /metrics is off (env TANDEM_METRICS_TOKEN).")
    var metricsToken: String?   // else TANDEM_METRICS_TOKEN, read in run() so --help never prints it
    @Option(name: .customLong("max-connections-per-address"), help: "Open connections one IP address may hold, 1-100000.")
    var maxConnectionsPerAddress: Int = Int(environment("TANDEM_MAX_CONNECTIONS_PER_ADDRESS") ?? "") ?? 256
    @Option(name: .customLong("header-timeout"), help: "Seconds to send the first request head (and for a push channel to authenticate), 1-300.")
    var headerTimeout: Double = Double(environment("TANDEM_HEADER_TIMEOUT") ?? "") ?? 10
    @Option(name: .customLong("idle-timeout"), help: "Seconds a keep-alive connection may sit idle, 1-3600.")
    var idleTimeout: Double = Double(environment("TANDEM_IDLE_TIMEOUT") ?? "") ?? 30
    @Option(name: .customLong("max-concurrent-sign-ins"), help: "Sign-in steps (POST /login…, /oauth2/authorize) running at once before more wait, 1-100000.")
    var maxConcurrentSignIns: Int = Int(environment("TANDEM_MAX_CONCURRENT_SIGN_INS") ?? "") ?? 16
    @Option(name: .customLong("max-concurrent-completions"), help: "Phone requests (/device/…) and sign-in completions running at once before more wait, 1-100000.")
    var maxConcurrentCompletions: Int = Int(environment("TANDEM_MAX_CONCURRENT_COMPLETIONS") ?? "") ?? 64
    @Option(name: .customLong("max-concurrent-admin"), help: "Admin page and Graph API requests running at once before more wait, 1-100000.")
    var maxConcurrentAdmin: Int = Int(environment("TANDEM_MAX_CONCURRENT_ADMIN") ?? "") ?? 16
    @Option(name: .customLong("max-concurrent-requests"), help: "Other requests (pages, static files, discovery) running at once before more wait, 1-100000.")
    var maxConcurrentRequests: Int = Int(environment("TANDEM_MAX_CONCURRENT_REQUESTS") ?? "") ?? 128
    @Option(name: .customLong("request-queue-length"), help: "Requests of each class that may wait for a slot; more are answered 503, 0-100000.")
    var requestQueueLength: Int = Int(environment("TANDEM_REQUEST_QUEUE_LENGTH") ?? "") ?? 64
    @Option(name: .customLong("request-queue-timeout"), help: "Seconds a request may wait for a slot before it is answered 503 with Retry-After, 0.01-60.")
    var requestQueueTimeout: Double = Double(environment("TANDEM_REQUEST_QUEUE_TIMEOUT") ?? "") ?? 2
    @Option(name: .customLong("tls-certificate"), help: "PEM certificate chain: serve https (reloaded on SIGHUP; env TANDEM_TLS_CERTIFICATE).")
    var tlsCertificate: String? = environment("TANDEM_TLS_CERTIFICATE")
    @Option(name: .customLong("tls-key"), help: "PEM private key for --tls-certificate (env TANDEM_TLS_KEY).")
    var tlsKey: String? = environment("TANDEM_TLS_KEY")
    @Option(name: .customLong("trusted-proxy"), help: "CIDR of a reverse proxy whose Forwarded/X-Forwarded-For headers are believed; repeatable (env TANDEM_TRUSTED_PROXIES, comma-separated).")
    var trustedProxy: [String] = environment("TANDEM_TRUSTED_PROXIES").map { [$0] } ?? []
    @Option(name: .customLong("housekeeping-interval"), help: "Seconds between purges of expired records and old logs, 10-86400.")
    var housekeepingInterval: Double = Double(environment("TANDEM_HOUSEKEEPING_INTERVAL") ?? "") ?? 3600
    @Option(name: .customLong("sign-in-log-retention"), help: "Days sign-in logs (with their push requests and delivery trails) are kept, 1-3650.")
    var signInLogRetention: Double = Double(environment("TANDEM_SIGN_IN_LOG_RETENTION") ?? "") ?? 30
    @Option(name: .customLong("audit-log-retention"), help: "Days audit log entries are kept, 1-3650.")
    var auditLogRetention: Double = Double(environment("TANDEM_AUDIT_LOG_RETENTION") ?? "") ?? 30
    @Option(name: .customLong("log-format"), help: "text or json (one JSON object per line; env TANDEM_LOG_FORMAT).")
    var logFormat: String = environment("TANDEM_LOG_FORMAT") ?? "text"
    @Option(name: .customLong("shutdown-timeout"), help: "Seconds SIGTERM waits for requests in flight before exiting, 1-300.")
    var shutdownTimeout: Double = Double(environment("TANDEM_SHUTDOWN_TIMEOUT") ?? "") ?? 10
    @Option(name: .customLong("radius-port"), help: "UDP port of the RADIUS server, 0 for any free port; off without it (env TANDEM_RADIUS_PORT).")
    var radiusPort: Int? = environment("TANDEM_RADIUS_PORT").flatMap { Int($0) }
    @Option(name: .customLong("radius-listen"), help: "Address the RADIUS server listens on (env TANDEM_RADIUS_LISTEN).")
    var radiusListen: String = environment("TANDEM_RADIUS_LISTEN") ?? "127.0.0.1"
    @Option(name: .customLong("web-push-contact"), help: "VAPID contact for Web Push services: mailto: address or https URL (env TANDEM_WEB_PUSH_CONTACT; default the public URL).")
    var webPushContact: String? = environment("TANDEM_WEB_PUSH_CONTACT")
    @Option(name: .customLong("fido2-attestation-roots"), help: "PEM file of the CA certificates passkey attestation must chain to when the Fido2 policy enforces attestation (env TANDEM_FIDO2_ATTESTATION_ROOTS).")
    var fido2AttestationRoots: String? = environment("TANDEM_FIDO2_ATTESTATION_ROOTS")
    @Option(name: .customLong("otel-endpoint"), help: "OTLP/HTTP collector URL: export OpenTelemetry traces to <url>/v1/traces; off without it (env OTEL_EXPORTER_OTLP_ENDPOINT).")
    var otelEndpoint: String? = environment("OTEL_EXPORTER_OTLP_ENDPOINT")
    @Flag(name: .customLong("allow-loopback-push-endpoints"), help: .hidden)  // tests only: http push endpoints on loopback
    var allowLoopbackPushEndpoints = false
    @OptionGroup var oidcOptions: OIDCOptions
    @Flag(name: .customLong("rotate-keys-if-unreadable"),
          help: "Start even if signing keys in the database cannot be opened with the secret key: replace them (every token issued before stops working).")
    var rotateKeysIfUnreadable = false

    func run() async throws {
        var config = TandemConfiguration(host: host, port: port, publicURL: publicURL, databasePath: db.database,
                                         challengeLifetime: challengeLifetime, numberDigits: numberDigits, bcryptCost: bcryptCost,
                                         alertWebhook: alertWebhook, geoipDirectory: geoipDirectory == "none" ? nil : geoipDirectory)
        config.metricsToken = metricsToken ?? environment("TANDEM_METRICS_TOKEN")
        config.radiusPort = radiusPort
        config.radiusListen = radiusListen
        config.webPush = WebPushSettings(contact: webPushContact, allowLoopbackEndpoints: allowLoopbackPushEndpoints)
        guard (1...300).contains(shutdownTimeout) else { throw fail("--shutdown-timeout must be between 1 and 300 seconds") }
        switch TrustedProxies.parse(trustedProxy) {
        case .success(let proxies): config.trustedProxies = proxies
        case .failure(let bad): throw fail("--trusted-proxy: '\(bad.value)' is not an address or CIDR")
        }
        switch (tlsCertificate, tlsKey) {
        case (nil, nil): break
        case (let certificate?, let key?):
            do { config.tls = try TLSCredentials(certificatePath: certificate, keyPath: key) } catch { throw fail("\(error)") }
        default: throw fail("--tls-certificate and --tls-key go together")
        }
        if let fido2AttestationRoots { config.fido2AttestationRoots = try Self.attestationRoots(fido2AttestationRoots) }
        config.connections = ConnectionLimits(perAddress: maxConnectionsPerAddress, headerTimeout: headerTimeout, idleTimeout: idleTimeout)
        config.load.newSignIns = maxConcurrentSignIns
        config.load.completions = maxConcurrentCompletions
        config.load.admin = maxConcurrentAdmin
        config.load.other = maxConcurrentRequests
        config.load.queueLength = requestQueueLength
        config.load.queueTimeout = requestQueueTimeout
        var housekeeping = HousekeepingSettings()
        housekeeping.interval = housekeepingInterval
        housekeeping.signInRetention = signInLogRetention * 86_400
        housekeeping.auditRetention = auditLogRetention * 86_400
        config.housekeeping = housekeeping
        let secretKeySource: String
        do { secretKeySource = try oidcOptions.apply(to: &config, defaultFile: db.secretKeyPath, dataDirectory: db.dataDirectory) } catch { throw fail("\(error)") }
        if let problem = config.validate() { throw fail(problem) }
        guard let level = Logger.Level(rawValue: logLevel) else { throw fail("--log-level must be one of trace, debug, info, notice, warning, error, critical") }
        guard ["text", "json"].contains(logFormat) else { throw fail("--log-format must be text or json") }
        let json = logFormat == "json"
        LoggingSystem.bootstrap { label in  // --log-level applies to every logger, the services' too
            if json {
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            var handler = StreamLogHandler.standardOutput(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "tandem")
        logger.logLevel = level
        let exporter: (any Service)?
        do { exporter = try Telemetry.bootstrap(endpoint: otelEndpoint, logger: logger) } catch { throw fail("\(error)") }
        config.tracing = exporter != nil
        let store: SQLStore
        do { store = try await db.open() } catch { throw fail("\(error)") }
        let passwords = BcryptPasswordHasher(cost: bcryptCost)
        do {
            try await checkStoredKeys(store: store, secretKey: config.secretKey ?? OIDCSecretKey.processDefault, logger: logger)
            if let secretKey = config.secretKey {
                // Verification-code secrets stored in the clear by an earlier version are sealed now (decision 0027).
                var env = ServiceEnvironment(storage: store, push: NoPush(), events: NoEvents(), passwords: passwords, clock: SystemClock(),
                                             random: SystemRandomSource(), settings: ServiceSettings(publicURL: config.resolvedPublicURL(boundPort: config.port)))
                env.sealer = RadiusSecretBox(secretKey: secretKey, random: env.random)
                try await VerificationCodeService(env: env, logger: logger).resealPlaintextSecrets()
            }
            let firstAdmin = try await Self.createFirstAdministrator(store: store, passwords: passwords, config: config)
            let app = try buildApplication(configuration: config, storage: store, passwords: passwords, logger: logger,
                                           bus: store.makeInstanceBus()) { port, url in
                say("Tandem is listening on \(url) (port \(port)), database \(db.displayName)")
                say(secretKeySource)
                if let (upn, password, pass) = firstAdmin {
                    say("""

                    First start: created the administrator \(upn)
                      password: \(password)   (shown only this once)
                      Temporary Access Pass: \(pass)   (one sign-in within 24 hours, instead of the password; shown only this once)
                    1. Sign in at \(url)/login
                    2. Open \(url)/mysecurityinfo and choose "Add sign-in method: Authenticator app"
                    3. Run: tandem-authenticator add '<the activation URL shown>'
                    """)
                }
            }
            let reloads = config.tls.map { TLSReloadOnHangUp(credentials: $0, logger: logger) }
            let deadline = ShutdownDeadline(seconds: shutdownTimeout, logger: logger)
            try await Telemetry.run(app, exporter: exporter, logger: logger)
            reloads?.cancel()
            withExtendedLifetime(deadline) {}
        } catch {
            try? await store.close()
            throw fail("\(error)")
        }
        try await store.close()
    }

    /// The PEM bundle of `--fido2-attestation-roots`, or a one-line error naming the file.
    static func attestationRoots(_ path: String) throws -> AttestationTrustAnchors {
        guard let data = FileManager.default.contents(atPath: path) else { throw fail("--fido2-attestation-roots: cannot read \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw fail("--fido2-attestation-roots: \(path) is not a PEM file (not text)") }
        do { return try AttestationTrustAnchors(pemBundle: text) } catch { throw fail("--fido2-attestation-roots: \(path): \(error.message)") }
    }

    /// On a first start with no users, creates an administrator with a random password and a
    /// one-time Temporary Access Pass (to register the authenticator without the password).
    static func createFirstAdministrator(store: SQLStore, passwords: any PasswordHasher, config: TandemConfiguration) async throws -> (String, String, String)? {
        guard try await store.countUsers() == 0 else { return nil }
        let random = SystemRandomSource()
        let password = random.identifier(byteCount: 12)
        let env = ServiceEnvironment(storage: store, push: NoPush(), events: NoEvents(), passwords: passwords,
                                     clock: SystemClock(), random: random, settings: ServiceSettings(publicURL: config.resolvedPublicURL(boundPort: config.port)))
        let user = try await DirectoryService(env: env).addUser(userPrincipalName: "admin@tandem.local", displayName: "Administrator", password: password)
        try await DirectoryAdminService(env: env).assign(.globalAdministrator, to: user, by: nil)
        let pass = try await TemporaryAccessPassService(env: env).create(for: user, .init(lifetimeMinutes: 24 * 60, isUsableOnce: true), by: nil)
        return (user.userPrincipalName, password, pass.code)
    }
}

/// Pushes and events are not needed by the offline commands.
struct NoPush: PushNotifier {
    func deliver(_ offer: ChallengeOffer, to deviceIDs: [String]) async {}
    func withdraw(challengeID: String, reason: String, from deviceIDs: [String]) async {}
}

struct NoEvents: ChallengeEvents {
    func changed(challengeID: String) async {}
    func wait(challengeID: String, for seconds: TimeInterval) async {}
}

/// Writes a line to standard output unbuffered, so a supervising process sees it at once.
func say(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
}
