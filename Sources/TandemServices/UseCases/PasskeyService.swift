import Foundation
import Logging
import TandemCore

/// Passkeys (decision 0020): registration from security info behind the step-up, deletion, and
/// the verification of sign-in assertions. Challenges come from the injected CSPRNG, live
/// `challengeLifetime` by the server clock and are taken once. Every change is audited.
public struct PasskeyService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    /// How long a ceremony may take (WebAuthn's recommended timeout is 5 minutes).
    public static let challengeLifetime: TimeInterval = 300
    /// The longest name a user can give a passkey.
    public static let maxNameLength = 64

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.passkeys")) {
        self.env = env
        self.logger = logger
    }

    /// What the browser needs for `navigator.credentials.create()` (JSON: base64url for binary fields).
    public struct CreationOptions: Codable, Sendable, Equatable {
        public struct Entity: Codable, Sendable, Equatable { public var id: String?; public var name: String; public var displayName: String? }
        public struct Parameter: Codable, Sendable, Equatable { public var type = "public-key"; public var alg: Int }
        public struct Descriptor: Codable, Sendable, Equatable {
            public var type = "public-key"
            public var id: String
            public var transports: [String]?
        }
        public struct Selection: Codable, Sendable, Equatable {
            public var residentKey = "required"
            public var requireResidentKey = true
            public var userVerification = "required"
        }
        public var challengeId: String
        public var rp: Entity
        public var user: Entity
        public var challenge: String
        public var pubKeyCredParams: [Parameter]
        public var timeout: Int
        /// `none`, or `direct` when the policy enforces attestation (decision 0037).
        public var attestation = "none"
        public var authenticatorSelection = Selection()
        public var excludeCredentials: [Descriptor]
    }

    func relyingParty(_ publicURL: String) throws -> WebAuthnRelyingParty {
        try WebAuthnRelyingParty(publicURL: publicURL)
    }

    func issueChallenge(userID: String?, purpose: PasskeyChallenge.Purpose) async throws -> PasskeyChallenge {
        let now = env.clock.now()
        // Expired challenges go as new ones come (an indexed delete), so abandoned ceremonies don't pile up.
        _ = try await env.storage.purgePasskeyChallenges(before: now)
        let challenge = PasskeyChallenge(id: env.random.identifier(), userID: userID, purpose: purpose,
                                         challenge: Base64URL.encode(env.random.bytes(32)), createdAt: now,
                                         expiresAt: now.addingTimeInterval(Self.challengeLifetime))
        try await env.storage.insertPasskeyChallenge(challenge)
        return challenge
    }

    /// Takes the challenge once; refuses one of another purpose or user, a replay and a late answer alike.
    func takeChallenge(id: String, purpose: PasskeyChallenge.Purpose, userID: String?) async throws -> [UInt8] {
        guard let challenge = try await env.storage.consumePasskeyChallenge(id: id, now: env.clock.now()),
              challenge.purpose == purpose, userID == nil || challenge.userID == userID,
              let bytes = Base64URL.decode(challenge.challenge)
        else { throw TandemError(.badRequest, "The passkey request expired or was already used. Try again.") }
        return bytes
    }

    /// The user's passkeys, oldest first.
    public func passkeys(of user: User) async throws -> [Passkey] {
        try await env.storage.passkeys(userID: user.id)
    }

    /// Starts a registration for the signed-in user (a recent strong sign-in is checked by the caller
    /// through `SecurityInfoService.mayChangeMethods`, and again here).
    public func beginRegistration(for user: User, session: Session, publicURL: String) async throws -> CreationOptions {
        guard try await SecurityInfoService(env: env).mayChangeMethods(session) else {
            throw TandemError(.forbidden, "Verify your identity again to change your sign-in methods.")
        }
        let policy = try await registrationPolicy(for: user)
        let rp = try relyingParty(publicURL)
        let challenge = try await issueChallenge(userID: user.id, purpose: .registration)
        let existing = try await env.storage.passkeys(userID: user.id)
        return CreationOptions(
            challengeId: challenge.id, rp: .init(id: rp.id, name: env.settings.applicationName),
            user: .init(id: Base64URL.encode(Array(user.id.utf8)), name: user.userPrincipalName, displayName: user.displayName),
            challenge: challenge.challenge, pubKeyCredParams: COSEKey.Algorithm.allCases.map { .init(alg: $0.rawValue) },
            timeout: Int(Self.challengeLifetime * 1000), attestation: policy.enforceAttestation ? "direct" : "none",
            excludeCredentials: existing.map { .init(id: $0.credentialID, transports: $0.transports.isEmpty ? nil : $0.transports) })
    }

    /// The browser's answer to `beginRegistration`.
    public struct RegistrationAnswer: Codable, Sendable {
        public var challengeId: String
        public var clientDataJSON: String
        public var attestationObject: String
        public var transports: [String]?
        public var name: String?
        public init(challengeId: String, clientDataJSON: String, attestationObject: String, transports: [String]? = nil, name: String? = nil) {
            self.challengeId = challengeId
            self.clientDataJSON = clientDataJSON
            self.attestationObject = attestationObject
            self.transports = transports
            self.name = name
        }
    }

    /// The Fido2 method configuration (decision 0025): the user may add a passkey (enabled,
    /// targeted, self-service allowed), the relying party's AAGUID lists and attestation switch,
    /// with this server's attestation roots (decision 0037).
    func registrationPolicy(for user: User) async throws -> WebAuthnRelyingParty.Policy {
        let config = try await Fido2ConfigurationService(env: env).configuration()
        var policy = config.relyingPartyPolicy
        policy.attestationRoots = env.settings.attestationRoots
        if config == .default { return policy }
        let subject = try await PolicyService(env: env).subject(for: user)
        guard config.allowsRegistration(subject) else {
            throw TandemError(.forbidden, "Your organization doesn't allow you to add a passkey.")
        }
        return policy
    }

    /// Whether the Fido2 method configuration lets `user` add a passkey (the security-info page
    /// offers the button only then; registration checks it again).
    public func mayRegister(_ user: User) async throws -> Bool {
        do { _ = try await registrationPolicy(for: user); return true } catch let error as TandemError where error.code == .forbidden { return false }
    }

    static let knownTransports: Set<String> = ["usb", "nfc", "ble", "smart-card", "hybrid", "internal"]

    /// Verifies and stores the new passkey, audits it, ends the user's other sessions and
    /// returns the passkey with this browser's new session token.
    public func finishRegistration(_ answer: RegistrationAnswer, for user: User, session: Session,
                                   publicURL: String) async throws -> (passkey: Passkey, sessionToken: String) {
        let passkey = try await register(answer, for: user, session: session, publicURL: publicURL)
        let token = try await SecurityInfoService(env: env).renewAfterChange(user: user, session: session, reason: .authenticatorAdded)
        return (passkey, token)
    }

    /// The strength interrupt's registration (decision 0027): `proof` is the interrupt's MFA
    /// sign-in (no session exists). The user's sessions end, as after every method change, and no
    /// new one is issued: the sign-in completes only once the new passkey is used.
    public func finishEnrolment(_ answer: RegistrationAnswer, for user: User, proof: Session, publicURL: String) async throws -> Passkey {
        let passkey = try await register(answer, for: user, session: proof, publicURL: publicURL)
        try await SessionRevocation(env: env).revokeEverything(userID: user.id, reason: .authenticatorAdded, by: user)
        return passkey
    }

    func register(_ answer: RegistrationAnswer, for user: User, session: Session, publicURL: String) async throws -> Passkey {
        let security = SecurityInfoService(env: env)
        guard try await security.mayChangeMethods(session) else {
            throw TandemError(.forbidden, "Verify your identity again to change your sign-in methods.")
        }
        guard let clientData = Base64URL.decode(answer.clientDataJSON), let attestation = Base64URL.decode(answer.attestationObject) else {
            throw TandemError(.badRequest, "clientDataJSON and attestationObject must be base64url.")
        }
        let name = (answer.name ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard name.count <= Self.maxNameLength, !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw TandemError(.badRequest, "A passkey name has at most \(Self.maxNameLength) characters.")
        }
        let policy = try await registrationPolicy(for: user)
        let challenge = try await takeChallenge(id: answer.challengeId, purpose: .registration, userID: user.id)
        let now = env.clock.now()
        let rp = try relyingParty(publicURL)
        let credential: WebAuthnRelyingParty.NewCredential
        do {
            credential = try await rp.verifyRegistration(
                .init(clientDataJSON: clientData, attestationObject: attestation), challenge: challenge, policy: policy, now: now)
        } catch {
            logger.notice("passkey registration refused", metadata: ["tandem.user": "\(user.id)",
                                                                   "tandem.reason": "\(WebAuthnRejection(error)?.rawValue ?? "invalid")"])
            throw error
        }
        let existing = try await env.storage.passkeys(userID: user.id)
        let passkey = Passkey(id: env.random.uuid(), userID: user.id, credentialID: Base64URL.encode(credential.credentialID),
                              publicKey: Base64URL.encode(credential.publicKey.encoded), algorithm: credential.publicKey.algorithm.rawValue,
                              signCount: Int64(credential.signCount), aaguid: credential.aaguid, backupEligible: credential.backupEligible,
                              backedUp: credential.backedUp, attestationFormat: credential.attestationFormat,
                              attestation: credential.attestation.rawValue,
                              transports: (answer.transports ?? []).filter(Self.knownTransports.contains).sorted(),
                              name: name.isEmpty ? "Passkey \(existing.count + 1)" : name, createdAt: now)
        guard try await env.storage.insertPasskey(passkey) else {
            throw TandemError(.conflict, "This passkey is already registered.")
        }
        try await Auditor(env: env).record("UserAuthenticationMethod", "Add passkey (FIDO2) method", "Add", actor: user, targetType: "User",
                                           targetID: user.id, targetName: user.userPrincipalName, property: "fido2Methods", new: passkey.name)
        logger.info("passkey registered", metadata: ["tandem.user": "\(user.id)", "tandem.passkey": "\(passkey.id)",
                                                     "tandem.passkey.type": "\(passkey.passkeyType)"])
        return passkey
    }

    /// Deletes one of the user's passkeys from a strong recent session (audited; other sessions end).
    public func delete(id: String, of user: User, session: Session) async throws -> (name: String, sessionToken: String) {
        let security = SecurityInfoService(env: env)
        guard try await security.mayChangeMethods(session) else {
            throw TandemError(.forbidden, "Verify your identity again to change your sign-in methods.")
        }
        let name = try await delete(id: id, of: user, by: user)
        return (name, try await security.renewAfterChange(user: user, session: session, reason: .authenticatorRemoved))
    }

    /// Deletes a passkey of `user` on behalf of `actor` (the user, or an administrator through Graph).
    @discardableResult
    public func delete(id: String, of user: User, by actor: User?) async throws -> String {
        guard let passkey = try await env.storage.passkey(id: id), passkey.userID == user.id,
              try await env.storage.deletePasskey(id: id, userID: user.id) else {
            throw TandemError(.notFound, "That sign-in method no longer exists.")
        }
        try await Auditor(env: env).record("UserAuthenticationMethod", "Delete passkey (FIDO2) method", "Delete", actor: actor, targetType: "User",
                                           targetID: user.id, targetName: user.userPrincipalName, property: "fido2Methods", old: passkey.name)
        logger.info("passkey deleted", metadata: ["tandem.user": "\(user.id)", "tandem.passkey": "\(passkey.id)"])
        if actor?.id != user.id {
            try await SessionRevocation(env: env, logger: logger).revokeEverything(userID: user.id, reason: .authenticatorRemoved, by: actor)
        }
        return passkey.name
    }
}
