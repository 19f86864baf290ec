// swift-tools-version:6.2
import PackageDescription

let package = Package(
    name: "tandem",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tandem", targets: ["tandem"]),
        .executable(name: "tandem-authenticator", targets: ["tandem-authenticator"]),
        .executable(name: "tandem-bench", targets: ["tandem-bench"]),
        .library(name: "AuthenticatorKit", targets: ["AuthenticatorKit"]),
        .library(name: "TandemCore", targets: ["TandemCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/vapor/sql-kit", from: "3.36.0"),
        .package(url: "https://github.com/vapor/sqlite-kit", from: "4.5.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        .package(url: "https://github.com/vapor/postgres-kit", from: "2.17.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        // OpenTelemetry traces over OTLP/HTTP only: the gRPC exporter (grpc-swift-2 and its
        // transport) is a trait left off, so it is neither resolved nor built (decision 0029).
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // The YAML config file of `tandem serve --config` (decision 0029).
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        // X.509 for verified `packed` full attestation (decision 0037); already built for jwt-kit.
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
    ],
    targets: [
        // Pure domain: no I/O, no clock, no randomness of its own.
        .target(
            name: "TandemCore",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"), .product(name: "SwiftASN1", package: "swift-asn1"),
            ]
        ),
        // Use cases over narrow protocols (store, push, clock, password hashing).
        .target(
            name: "TandemServices",
            dependencies: [
                "TandemCore", .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The storage protocols implemented over SQLKit (SQLite today).
        .target(
            name: "TandemStore",
            dependencies: [
                "TandemServices",
                .product(name: "SQLKit", package: "sql-kit"),
                .product(name: "SQLiteKit", package: "sqlite-kit"),
                .product(name: "PostgresKit", package: "postgres-kit"),
            ]
        ),
        // A pure-Swift QR code encoder (byte mode, versions 1–10, SVG output); no dependencies.
        .target(name: "TandemQR"),
        // The push hub: connected authenticators and fan-out.
        .target(
            name: "TandemPush",
            dependencies: ["TandemServices", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
        ),
        // The Hummingbird application.
        .target(
            name: "TandemServer",
            dependencies: [
                "TandemServices", "TandemStore", "TandemPush", "TandemQR",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ],
            // The web authenticator's files (plain HTML, CSS, ES modules, icons) are embedded by
            // the plugin, not compiled or copied as a resource bundle (decision 0024).
            exclude: ["Authenticator"],
            plugins: ["EmbedWebAuthenticator"]
        ),
        // Build tool: writes the web authenticator's files into a Swift source (run by the plugin).
        .executableTarget(name: "tandem-embed"),
        .plugin(name: "EmbedWebAuthenticator", capability: .buildTool(), dependencies: ["tandem-embed"]),
        // The authenticator's core (what a phone app builds on).
        .target(
            name: "AuthenticatorKit",
            dependencies: [
                "TandemCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // In-memory twins, manual clock, seeded random source.
        .target(
            name: "TandemTesting",
            dependencies: ["TandemServices", .product(name: "Crypto", package: "swift-crypto")]
        ),
        .executableTarget(
            name: "tandem",
            dependencies: [
                "TandemServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        .executableTarget(
            name: "tandem-authenticator",
            dependencies: [
                "AuthenticatorKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The sign-in benchmark: seeds users and devices, drives a `tandem serve` child process.
        .executableTarget(
            name: "tandem-bench",
            dependencies: [
                "TandemStore", "TandemCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
            ]
        ),
        // Bounded fuzzing of the parsers that take outside input (docs/decisions/0009-bad-input.md).
        .executableTarget(
            name: "tandem-fuzz",
            dependencies: [
                "TandemServer", "TandemTesting", "AuthenticatorKit",
                .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "TandemCoreTests", dependencies: ["TandemCore", "TandemTesting"]),
        .testTarget(name: "TandemQRTests", dependencies: ["TandemQR"]),
        .testTarget(
            name: "TandemServicesTests",
            dependencies: ["TandemServices", "TandemTesting", .product(name: "InMemoryTracing", package: "swift-distributed-tracing")]
        ),
        .testTarget(name: "TandemStoreTests", dependencies: ["TandemStore", "TandemTesting"]),
        .testTarget(
            name: "TandemServerTests",
            dependencies: [
                "TandemServer", "TandemTesting", "AuthenticatorKit",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HummingbirdWSTesting", package: "hummingbird-websocket"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        .testTarget(name: "AuthenticatorKitTests", dependencies: ["AuthenticatorKit", "TandemTesting"]),
        // The command line: settings from flags, environment and the config file (decision 0029).
        .testTarget(name: "TandemCommandTests", dependencies: ["tandem"]),
    ],
    swiftLanguageModes: [.v6]
)
