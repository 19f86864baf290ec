import Foundation
import TandemCore
import TandemServices

/// The in-memory twin of `TandemStorage`, for fast tests. Behaves like the SQL store (the storage
/// conformance suite runs against both).
public actor InMemoryStorage: TandemStorage {
    var usersByID: [String: User] = [:]
    var devicesByID: [String: Device] = [:]
    var challengesByID: [String: Challenge] = [:]
    var activationsByID: [String: Activation] = [:]
    var flowsByID: [String: SignInFlow] = [:]
    var sessionsByID: [String: Session] = [:]
    var groupsByID: [String: Group] = [:]
    var membership: [(group: String, member: GroupMember)] = []
    var roleAssignments: Set<String> = []
    var policies: [String: String] = [:]
    var auditLog: [AuditEntry] = []
    var signingKeyList: [StoredSigningKey] = []
    var remembered: [String: (String, Date)] = [:]
    var securityByUser: [String: UserSecurity] = [:]
    var signInsByID: [String: SignInRecord] = [:]
    var trails: [String: [TrailEvent]] = [:]
    var networksByUser: [String: [String: String]] = [:]
    var namedLocationList: [NamedLocation] = []
    var oidc = InMemoryOIDCTables()
    var portal = InMemoryPortalTables()
    var deviceHardening = InMemoryDeviceHardeningTables()
    var adminHardening = InMemoryAdminHardeningTables()
    var throttles: [String: ThrottleRecord] = [:]
    var passkeyTables = InMemoryPasskeyTables()
    var radiusClientsByID: [String: RadiusClient] = [:]
    var webPushSubscriptions: [String: WebPushSubscription] = [:]
    // A new table above must also go into `Snapshot` (InMemoryStorage+Transactions.swift).
    var transactionOpen = false
    var transactionQueue: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func insertUser(_ user: User) throws {
        if usersByID.values.contains(where: { $0.userPrincipalName.lowercased() == user.userPrincipalName.lowercased() }) || usersByID[user.id] != nil {
            throw TandemError(.conflict, "A user with that userPrincipalName already exists.")
        }
        usersByID[user.id] = user
    }
    public func user(id: String) -> User? { usersByID[id] }
    public func user(principalName: String) -> User? {
        usersByID.values.first { $0.userPrincipalName.lowercased() == principalName.lowercased() }
    }
    public func users() -> [User] { usersByID.values.sorted { $0.createdAt < $1.createdAt } }
    public func countUsers() -> Int { usersByID.count }
    public func setLastNumber(userID: String, number: String) { usersByID[userID]?.lastNumber = number }
    public func recordPushFailure(userID: String, reset: Bool) -> Int {
        guard var user = usersByID[userID] else { return 0 }
        user.pushFailures = reset ? 0 : user.pushFailures + 1
        usersByID[userID] = user
        return user.pushFailures
    }

    public func insertDevice(_ device: Device) throws {
        guard devicesByID[device.id] == nil else { throw TandemError(.conflict, "Duplicate device.") }
        devicesByID[device.id] = device
    }
    public func device(id: String) -> Device? { devicesByID[id] }
    public func devices(userID: String) -> [Device] {
        devicesByID.values.filter { $0.userID == userID && $0.state != .removed }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }
    /// Writes what the SQL store's `updateDevice` writes: name, app version, phone sign-in key,
    /// state and last use (never keys, the platform or the approval passkey).
    public func updateDevice(_ device: Device) {
        guard var stored = devicesByID[device.id] else { return }
        stored.name = device.name
        stored.appVersion = device.appVersion
        stored.phoneSignInKey = device.phoneSignInKey
        stored.state = device.state
        stored.lastUsedAt = device.lastUsedAt
        devicesByID[device.id] = stored
    }

    public func insertChallenge(_ challenge: Challenge) throws {
        guard challengesByID[challenge.id] == nil else { throw TandemError(.conflict, "Duplicate challenge.") }
        challengesByID[challenge.id] = challenge
    }
    public func challenge(id: String) -> Challenge? { challengesByID[id] }
    public func replaceChallenge(_ updated: Challenge, ifStateIs expected: ChallengeState) -> Bool {
        guard challengesByID[updated.id]?.state == expected else { return false }
        challengesByID[updated.id] = updated
        return true
    }
    public func pendingChallenges(userID: String) -> [Challenge] {
        challengesByID.values.filter { $0.userID == userID && $0.state == .pending }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public func insertActivation(_ activation: Activation) { activationsByID[activation.id] = activation }
    public func activation(id: String) -> Activation? { activationsByID[id] }
    public func consumeActivation(codeDigest: String, now: Date) -> Activation? {
        guard var found = activationsByID.values.first(where: { $0.codeDigest == codeDigest }),
              found.usedAt == nil, found.expiresAt > now else { return nil }
        found.usedAt = now
        activationsByID[found.id] = found
        return found
    }
    public func updateActivation(_ activation: Activation) { activationsByID[activation.id] = activation }

    public func insertFlow(_ flow: SignInFlow) { flowsByID[flow.id] = flow }
    public func flow(id: String) -> SignInFlow? { flowsByID[id] }
    public func updateFlow(_ flow: SignInFlow) -> Bool {
        guard let stored = flowsByID[flow.id], stored.version == flow.version else { return false }
        var written = flow
        written.version += 1
        flowsByID[flow.id] = written
        return true
    }

    public func insertSession(_ session: Session) { sessionsByID[session.id] = session }
    public func session(id: String) -> Session? { sessionsByID[id] }
    public func deleteSession(id: String) { sessionsByID[id] = nil }
}
