import Foundation
import Logging
import TandemCore

/// Seals and opens secrets at rest (the server's `OIDCSecretBox` under its secret key): what
/// the RADIUS clients' shared secrets and the Access-Challenge `State` go through.
public protocol RadiusSealer: Sendable {
    /// `context` is bound to the sealed text (additional data): it opens only with the same context.
    func seal(_ plaintext: [UInt8], context: String) throws -> String
    /// The plaintext, or `nil` for damaged text, another context or another secret key.
    func open(_ text: String, context: String) -> [UInt8]?
}

/// The administrator's RADIUS clients (`tandem admin radius-clients`, `/v1.0/tandem/radiusClients`):
/// register one (its shared secret is generated here with the CSPRNG and returned once), list,
/// delete; every change audited. The server finds the client of a packet's source address here.
public struct RadiusClientRegistry: Sendable {
    let env: ServiceEnvironment
    let sealer: any RadiusSealer
    let logger: Logger

    /// Shared secrets are 32 characters: 24 random bytes, base64url (RFC 2865 §3 asks for at
    /// least 16 octets; every NAS and `pam_radius` accepts these characters).
    public static let secretBytes = 24

    public init(env: ServiceEnvironment, sealer: any RadiusSealer, logger: Logger = Logger(label: "tandem.radius")) {
        self.env = env
        self.sealer = sealer
        self.logger = logger
    }

    static func sealContext(_ id: String) -> String { "radius-client|" + id }

    /// Registers a client; returns it and its shared secret (shown this once, never stored in the clear).
    public func register(name rawName: String, address rawAddress: String, userNameSuffix rawSuffix: String? = nil,
                         by actor: User?) async throws -> (RadiusClient, String) {
        let name = rawName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...64).contains(name.count), !name.contains(where: { $0.isNewline || $0.asciiValue.map { $0 < 0x20 } == true }) else {
            throw TandemError(.badRequest, "The name must be 1 to 64 characters.")
        }
        let address = rawAddress.trimmingCharacters(in: .whitespaces)
        guard let network = CIDR(address) else { throw TandemError(.badRequest, "--address must be an IP address or a CIDR network, not '\(rawAddress)'.") }
        let suffix = try rawSuffix.map(Self.validSuffix)
        let id = env.random.identifier()
        let secret = env.random.pastableSecret(byteCount: Self.secretBytes)
        let client = RadiusClient(id: id, displayName: name, address: network.description,
                                  sealedSecret: try sealer.seal(Array(secret.utf8), context: Self.sealContext(id)), createdAt: env.clock.now(),
                                  userNameSuffix: suffix)
        try await env.transaction { env in
            try await env.storage.insertRadiusClient(client)
            let auditor = Auditor(env: env)
            try await auditor.record("ApplicationManagement", "Add RADIUS client", "Add", actor: actor, targetType: "RadiusClient",
                                     targetID: id, targetName: name, property: "address", new: client.address)
            if let suffix {
                try await auditor.record("ApplicationManagement", "Add RADIUS client", "Add", actor: actor, targetType: "RadiusClient",
                                         targetID: id, targetName: name, property: "userNameSuffix", new: suffix)
            }
        }
        logger.info("RADIUS client added", metadata: ["tandem.radiusClient": "\(id)"])
        return (client, secret)
    }

    /// `@` and a domain name (letters, digits, `-` and `.`, 2 to 128 characters), or a one-line 400.
    static func validSuffix(_ raw: String) throws -> String {
        let suffix = raw.trimmingCharacters(in: .whitespaces)
        let domain = suffix.dropFirst()
        guard suffix.hasPrefix("@"), (2...128).contains(suffix.count), !domain.hasPrefix("."), !domain.hasSuffix("."), !domain.contains(".."),
              domain.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") })
        else { throw TandemError(.badRequest, "The user name suffix must be @ and a domain name, such as @contoso.com, not '\(raw.prefix(64))'.") }
        return suffix.lowercased()
    }

    /// Oldest first.
    public func clients() async throws -> [RadiusClient] { try await env.storage.radiusClients() }

    /// By id, or by name (case-insensitive).
    public func find(_ key: String) async throws -> RadiusClient {
        if let client = try await env.storage.radiusClient(id: key) { return client }
        guard let client = try await clients().first(where: { $0.displayName.lowercased() == key.lowercased() }) else {
            throw TandemError(.notFound, "No RADIUS client named '\(key)'.")
        }
        return client
    }

    public func delete(_ client: RadiusClient, by actor: User?) async throws {
        guard try await env.storage.deleteRadiusClient(id: client.id) else { throw TandemError(.notFound, "No RADIUS client named '\(client.displayName)'.") }
        try await Auditor(env: env).record("ApplicationManagement", "Delete RADIUS client", "Delete", actor: actor, targetType: "RadiusClient",
                                           targetID: client.id, targetName: client.displayName, property: "address", old: client.address)
        logger.info("RADIUS client deleted", metadata: ["tandem.radiusClient": "\(client.id)"])
    }

    /// The client packets from `ipAddress` belong to (the most specific network wins) and its
    /// shared secret; `nil` for an unknown address or a secret that no longer opens.
    public func client(from ipAddress: String) async throws -> (client: RadiusClient, secret: [UInt8])? {
        let matches = try await clients().compactMap { client in CIDR(client.address).map { (client, $0) } }
            .filter { $0.1.contains(ipAddress) }
            .sorted { $0.1.prefixLength > $1.1.prefixLength }
        guard let (client, _) = matches.first else { return nil }
        guard let secret = sealer.open(client.sealedSecret, context: Self.sealContext(client.id)) else {
            logger.error("RADIUS client's secret does not open under this secret key", metadata: ["tandem.radiusClient": "\(client.id)"])
            return nil
        }
        return (client, secret)
    }
}
