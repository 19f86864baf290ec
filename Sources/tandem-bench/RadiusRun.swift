import AsyncHTTPClient
import Foundation
import Histogram
import NIOCore
import NIOPosix
import TandemCore

/// `--radius N` (decision 0035): N RADIUS sign-ins at once against `tandem serve --radius-port`.
/// N users with a password and a phone on its WebSocket push channel; a RADIUS client for
/// 127.0.0.1 registered with `tandem admin radius-clients add`; every user's Access-Request
/// (PAP, Message-Authenticator) sent at once from its own UDP port, a quarter of them twice at
/// once and an eighth again after the reply; each phone approves the number of its
/// Access-Challenge when the push arrives; then every user's Access-Request with the State at
/// once. Prints the time to challenge, push delivery and time to accept (p50/p99/max), lost
/// (no challenge or no Accept), doubled (a phone with a second push, a duplicate answered with
/// other bytes), the NAS's retransmissions and the server's CPU.
struct RadiusRun {
    let name: String
    let users: Int
    let binary: String
    let database: String
    let serverLogLevel: String
    let serverArgs: [String]
    static let password = "bench radius password"
    static let retryAfter: Duration = .seconds(5)
    static let deadline: Duration = .seconds(120)

    func run() async throws {
        let secretKey = "bench-" + UUID().uuidString + UUID().uuidString
        let template = "radius-template@bench.tandem.test"
        _ = try Self.tandem(binary, ["users", "add", template, "--password=\(Self.password)", "--bcrypt-cost", "4", "--database", database])
        Output.line("== \(name) --radius \(users): seeding \(users) users with a password and a registered phone")
        let devices = try await Seeder.seed(database: database, count: users, passwordOf: template) { Output.progress("[\(name)] seeded \($0)/\(users)") }
        Output.endProgress()
        let added = try Self.tandem(binary, ["admin", "radius-clients", "add", "Bench NAS", "--address", "127.0.0.1",
                                             "--database", database, "--secret-key=\(secretKey)"])
        guard let secretLine = added.split(separator: "\n").first(where: { $0.contains("shared secret: ") }),
              let sharedSecret = secretLine.split(separator: " ").drop(while: { $0 != "secret:" }).dropFirst().first
        else { throw BenchError("tandem admin radius-clients add printed no shared secret") }
        let secret = Array(sharedSecret.utf8)
        let port = try await Self.freeUDPPort()
        let server = try ServerProcess(binary: binary, database: database, logLevel: serverLogLevel,
                                       arguments: ["--radius-port", "\(port)", "--secret-key=\(secretKey)"] + serverArgs)
        defer { server.stop() }
        let fleet = DeviceFleet(serverURL: server.url)
        try await fleet.connectAll(devices) { Output.progress("[\(name)] devices connected \($0)/\(devices.count)") }
        Output.endProgress()
        let http = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: .init(
            timeout: .init(connect: .seconds(10), read: .seconds(60)),
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)))
        let nas = RadiusNasPort(server: try SocketAddress(ipAddress: "127.0.0.1", port: port), secret: secret, retryAfter: Self.retryAfter)
        let report: RadiusReport
        do {
            report = try await rounds(devices, fleet: fleet, nas: nas, secret: secret, http: http, server: server)
        } catch {
            try? await http.shutdown()
            throw error
        }
        try await http.shutdown()
        report.print()
    }

    func rounds(_ devices: [BenchDevice], fleet: DeviceFleet, nas: RadiusNasPort, secret: [UInt8], http: HTTPClient,
                server: ServerProcess) async throws -> RadiusReport {
        let users = devices.count
        let cpu0 = server.cpuSeconds()
        var generator = SystemRandomNumberGenerator()
        let order = Array(0..<users).shuffled(using: &generator)
        let twice = Set(order.prefix(users / 4)), again = Set(order.dropFirst(users / 4).prefix(users / 8))
        let deadline = ContinuousClock.now + Self.deadline
        let start = DispatchTime.now().uptimeNanoseconds
        // Round 1 and the phones: each user's request; its phone approves the number when the push comes.
        let first = try await withThrowingTaskGroup(of: (Int, RadiusNasPort.Exchange, UInt64?, Bool).self) { group in
            for device in devices {
                let duplicate: RadiusNasPort.Duplicate = twice.contains(device.index) ? .twiceAtOnce : again.contains(device.index) ? .againAfterReply : .none
                group.addTask {
                    let request = Self.request(device, secret: secret, password: Self.password, state: nil)
                    async let pushed = fleet.next(device.index, timeout: Self.deadline)
                    let exchange = try await nas.exchange(request, duplicate: duplicate, deadline: deadline)
                    guard let reply = exchange.reply, reply.code == .accessChallenge, let number = Self.number(reply),
                          let (offer, arrived) = await pushed else { return (device.index, exchange, nil, false) }
                    let approved = try await Self.approve(offer, number: number, device: device, http: http, server: server.url)
                    return (device.index, exchange, arrived &- start, approved)
                }
            }
            var all: [Int: (RadiusNasPort.Exchange, UInt64?, Bool)] = [:]
            for try await (index, exchange, push, approved) in group { all[index] = (exchange, push, approved) }
            return all
        }
        // Round 2: every user's Access-Request with its State, at once.
        let second = try await withThrowingTaskGroup(of: (Int, RadiusNasPort.Exchange).self) { group in
            for device in devices {
                guard let state = first[device.index]?.0.reply?.attribute(.state) else { continue }
                group.addTask {
                    (device.index, try await nas.exchange(Self.request(device, secret: secret, password: "", state: state), duplicate: .none,
                                                          deadline: ContinuousClock.now + Self.deadline))
                }
            }
            var all: [Int: RadiusNasPort.Exchange] = [:]
            for try await (index, exchange) in group { all[index] = exchange }
            return all
        }
        let cpu = server.cpuSeconds() - cpu0
        let pushes = fleet.receivedCounts.withLock { $0 }
        return RadiusReport(name: name, users: users, first: first, second: second, pushes: pushes, twice: twice.count, again: again.count,
                            serverCPU: cpu, retryAfter: Self.retryAfter)
    }

    static func request(_ device: BenchDevice, secret: [UInt8], password: String, state: [UInt8]?) -> RadiusPacket {
        var random = SystemRandomNumberGenerator()
        let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255, using: &random) }
        var attributes: [RadiusAttribute] = [
            .text(.userName, device.userPrincipalName),
            RadiusAttribute(.userPassword, RadiusPacket.hidePassword(Array(password.utf8), secret: secret, requestAuthenticator: authenticator)),
            // RFC 2544's benchmarking range: only an attribute value (the user's address the NAS reports), never a destination.
            .text(.callingStationID, "198.18.\(device.index / 256 % 256).\(device.index % 256)"),
        ]
        if let state { attributes.append(RadiusAttribute(.state, state)) }
        return RadiusPacket(code: .accessRequest, identifier: UInt8.random(in: 0...255, using: &random), authenticator: authenticator,
                            attributes: attributes).signedRequest(secret: secret)
    }

    static func number(_ reply: RadiusPacket) -> String? {
        guard let message = reply.text(.replyMessage), let range = message.range(of: #"enter \d+"#, options: .regularExpression) else { return nil }
        return String(message[range].dropFirst(6))
    }

    static func approve(_ offer: ChallengeOffer, number: String, device: BenchDevice, http: HTTPClient, server: String) async throws -> Bool {
        var request = HTTPClientRequest(url: server + "/device/v1/challenges/\(offer.id)/answer")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: try WireCoding.encoder().encode(try device.approval(offer, number: number))))
        let response = try await http.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 1 << 16)
        return response.status == .ok
    }

    /// Runs `tandem ARGS` to the end; its standard output, or an error with its output.
    static func tandem(_ binary: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw BenchError("tandem \(arguments.prefix(3).joined(separator: " ")) failed: \(text)") }
        return text
    }

    static func freeUDPPort() async throws -> Int {
        let channel = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw BenchError("no free UDP port") }
        return port
    }
}
