import Foundation

/// A network device allowed to ask Tandem to sign people in over RADIUS (a VPN concentrator, a
/// Wi-Fi controller, an SSH jump host's `pam_radius`): a name, the addresses its packets come
/// from, and its shared secret, sealed at rest (never stored or logged in the clear).
public struct RadiusClient: Sendable, Equatable, Codable {
    /// Random identifier (the admin API's `id`).
    public var id: String
    /// Unique, case-insensitively; the application name in the sign-in log and on the phone.
    public var displayName: String
    /// Where its packets may come from: an address or a CIDR network.
    public var address: String
    /// The shared secret, sealed (AES-GCM under the server's secret key, the client id as context).
    public var sealedSecret: String
    public var createdAt: Date
    /// Appended to a User-Name without `@` (e.g. `@contoso.com`): `pam_radius` and many NASes
    /// send the local login name, Tandem knows the user principal name. `nil`: names as sent.
    public var userNameSuffix: String?

    public init(id: String, displayName: String, address: String, sealedSecret: String, createdAt: Date, userNameSuffix: String? = nil) {
        self.id = id
        self.displayName = displayName
        self.address = address
        self.sealedSecret = sealedSecret
        self.createdAt = createdAt
        self.userNameSuffix = userNameSuffix
    }

    /// The principal name a User-Name stands for: with the suffix when it has no `@` of its own.
    public func principalName(_ userName: String) -> String {
        guard let userNameSuffix, !userName.contains("@") else { return userName }
        return userName + userNameSuffix
    }
}

/// The registered RADIUS clients.
public protocol RadiusStore: Sendable {
    /// Throws `TandemError.conflict` when the name is taken (case-insensitive).
    func insertRadiusClient(_ client: RadiusClient) async throws
    func radiusClient(id: String) async throws -> RadiusClient?
    /// Oldest first.
    func radiusClients() async throws -> [RadiusClient]
    /// Returns whether a client was deleted.
    func deleteRadiusClient(id: String) async throws -> Bool
}
