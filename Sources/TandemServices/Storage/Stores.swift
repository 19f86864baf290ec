import Foundation
@_exported import TandemCore

/// Users. `insertUser` throws `TandemError.conflict` for a taken user principal name.
public protocol UserStore: Sendable {
    func insertUser(_ user: User) async throws
    func user(id: String) async throws -> User?
    /// Case-insensitive lookup.
    func user(principalName: String) async throws -> User?
    func users() async throws -> [User]
    func countUsers() async throws -> Int
    func setLastNumber(userID: String, number: String) async throws
    /// Adds one to the user's push failures (or sets it to 0 with `reset`), returning the new count.
    @discardableResult
    func recordPushFailure(userID: String, reset: Bool) async throws -> Int
}

/// Registered authenticators.
public protocol DeviceStore: Sendable {
    func insertDevice(_ device: Device) async throws
    func device(id: String) async throws -> Device?
    /// The user's devices that are not removed, oldest first.
    func devices(userID: String) async throws -> [Device]
    func updateDevice(_ device: Device) async throws
}

/// Push challenges. `replaceChallenge` is the one atomic state change: a compare-and-set on `state`.
public protocol ChallengeStore: Sendable {
    func insertChallenge(_ challenge: Challenge) async throws
    func challenge(id: String) async throws -> Challenge?
    /// Writes `updated` only if the stored challenge is still in `expected`; returns whether it did.
    func replaceChallenge(_ updated: Challenge, ifStateIs expected: ChallengeState) async throws -> Bool
    /// The user's challenges still in `pending`, oldest first (expired ones included; callers expire them).
    func pendingChallenges(userID: String) async throws -> [Challenge]
}

/// One-time activation codes.
public protocol ActivationStore: Sendable {
    func insertActivation(_ activation: Activation) async throws
    func activation(id: String) async throws -> Activation?
    /// Atomically marks the unused, unexpired activation with this code digest used, and returns it.
    func consumeActivation(codeDigest: String, now: Date) async throws -> Activation?
    func updateActivation(_ activation: Activation) async throws
}

/// Sign-in flows in progress.
public protocol FlowStore: Sendable {
    func insertFlow(_ flow: SignInFlow) async throws
    func flow(id: String) async throws -> SignInFlow?
    /// Writes `flow` if the stored flow is still at `flow.version` (compare-and-set), bumping the
    /// stored version; `false` when another write came first (nothing is written then).
    func updateFlow(_ flow: SignInFlow) async throws -> Bool
}

/// Browser sessions.
public protocol SessionStore: Sendable {
    func insertSession(_ session: Session) async throws
    func session(id: String) async throws -> Session?
    func deleteSession(id: String) async throws
}

/// Groups, memberships, role assignments, and per-user directory settings.
public protocol DirectoryStore: Sendable {
    /// Writes the user's mutable fields (name, enabled, password, MFA state, preferred method).
    func updateUser(_ user: User) async throws
    func insertGroup(_ group: Group) async throws
    func group(id: String) async throws -> Group?
    func groups() async throws -> [Group]
    func updateGroup(_ group: Group) async throws
    /// Removes a group and its memberships (as a container and as a member).
    func deleteGroup(id: String) async throws
    /// Adds a member; false when it was a member already.
    func addMember(groupID: String, member: GroupMember) async throws -> Bool
    /// Removes a member; false when it was not a member.
    func removeMember(groupID: String, memberID: String) async throws -> Bool
    func members(groupID: String) async throws -> [GroupMember]
    /// The groups that list `memberID` directly.
    func groupsContaining(memberID: String) async throws -> [String]
    /// Assigns a role; false when already assigned.
    func assignRole(_ roleID: String, userID: String) async throws -> Bool
    /// Removes a role; false when it was not assigned.
    func unassignRole(_ roleID: String, userID: String) async throws -> Bool
    func roleMembers(_ roleID: String) async throws -> [String]
    func roles(userID: String) async throws -> [String]
}

/// Policy documents (JSON), by id.
public protocol PolicyStore: Sendable {
    func policyDocument(id: String) async throws -> String?
    /// Every stored document by id, in one read (a request's memo, issue 11: a sign-in step
    /// consults several documents; the table holds a handful of small rows).
    func policyDocuments() async throws -> [String: String]
    func savePolicyDocument(id: String, body: String, updatedAt: Date) async throws
    /// Compare-and-set: writes `body` only if the stored document is still `expected` (`nil`: none
    /// stored yet); returns whether it did (decision 0018, optimistic concurrency).
    func replacePolicyDocument(id: String, body: String, updatedAt: Date, ifBodyIs expected: String?) async throws -> Bool
}

/// The audit log, append only.
public protocol AuditStore: Sendable {
    func insertAudit(_ entry: AuditEntry) async throws
    /// Newest first, at most `limit`, strictly older than `before` (time, id) when given.
    func audits(limit: Int, before: (Date, String)?) async throws -> [AuditEntry]
}

/// Signing keys and remembered browsers.
public protocol SecretStore: Sendable {
    func signingKeys(purpose: String) async throws -> [StoredSigningKey]
    func insertSigningKey(_ key: StoredSigningKey) async throws
    func insertRememberedBrowser(id: String, userID: String, expiresAt: Date) async throws
    /// The user remembered for this id, if not expired at `now`.
    func rememberedBrowser(id: String, now: Date) async throws -> String?
}

/// Push protection, risk, sign-in logs, delivery trails, familiar networks and named locations.
public protocol DefenceStore: Sendable {
    func security(userID: String) async throws -> UserSecurity
    /// Counts one more push, atomically: succeeds only if the counter still reads `expected` (else another push won).
    func reservePush(userID: String, expected: UserSecurity, now: Date) async throws -> Bool
    /// After a successful sign-in: counters to zero (pushes since the last success and push failures), in one write.
    func resetPushCounter(userID: String) async throws
    func lockPush(userID: String, at: Date) async throws
    /// Blocks push until `until` and marks the user at risk.
    func blockPush(userID: String, until: Date, riskLevel: String, riskDetail: String, at: Date) async throws
    /// Clears lock, block and failures; risk becomes `dismissed`.
    func unblock(userID: String, at: Date) async throws
    /// Users at risk, locked or blocked.
    func riskyUsers() async throws -> [(User, UserSecurity)]

    func insertSignIn(_ record: SignInRecord) async throws
    /// Applies `amendment` in one write and returns the record as written (nil: no such record).
    func amendSignIn(_ amendment: SignInAmendment) async throws -> SignInRecord?
    func signIn(id: String) async throws -> SignInRecord?
    /// Newest first.
    func signIns(limit: Int, before: (Date, String)?) async throws -> [SignInRecord]

    func appendTrail(challengeID: String, _ event: TrailEvent) async throws
    func trail(challengeID: String) async throws -> [TrailEvent]
    func challenges(signInID: String) async throws -> [Challenge]

    func recordNetwork(userID: String, network: String, country: String?, at: Date) async throws
    func networks(userID: String) async throws -> [(network: String, country: String?)]

    func insertNamedLocation(_ location: NamedLocation) async throws
    func namedLocations() async throws -> [NamedLocation]
    func deleteNamedLocation(id: String) async throws -> Bool
    /// Ends every session of the user.
    func deleteSessions(userID: String) async throws
}

/// Everything the services need from storage.
public typealias TandemStorage = UserStore & DeviceStore & ChallengeStore & ActivationStore & FlowStore & SessionStore
    & DirectoryStore & PolicyStore & AuditStore & SecretStore & DefenceStore & OIDCStore & PortalStore & DeviceHardeningStore & AdminHardeningStore & SignInHardeningStore
    & HousekeepingStore & PasskeyStore & SoftwareOathStore & RegistrationCampaignStore & TransactionStore & RadiusStore & WebPushStore & WebAuthenticatorStore
