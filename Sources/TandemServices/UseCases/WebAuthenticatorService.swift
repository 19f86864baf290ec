import Foundation
import Logging
import TandemCore

/// The web authenticator's keys on the server (protocol version 3, decision 0022): the approval
/// passkey's registration after activation, the assertion every approval of a web device carries
/// (challenge = SHA-256 of the answer's canonical bytes), and phone sign-in proven the same way.
///
/// The relying party is the server's public URL (RP ID = its host, origin = its scheme, host and
/// port), as for passkeys (decision 0020). User verification is always required.
public struct WebAuthenticatorService: Sendable {
    let env: ServiceEnvironment
    let logger: Logger

    /// The `timeout` the app passes to `navigator.credentials.create()` / `get()`.
    public static let ceremonyTimeout: TimeInterval = 300

    public init(env: ServiceEnvironment, logger: Logger = Logger(label: "tandem.devices")) {
        self.env = env
        self.logger = logger
    }

    /// A new registration challenge: 32 bytes from the injected CSPRNG, until the activation
    /// window closes (server clock).
    public func newChallenge() -> ApprovalPasskeyChallenge {
        ApprovalPasskeyChallenge(challenge: Base64URL.encode(env.random.bytes(32)),
                                 expiresAt: env.clock.now().addingTimeInterval(env.settings.activationLifetime))
    }

    /// The options for the device's `navigator.credentials.create()`.
    public func options(for device: Device, user: User, challenge: ApprovalPasskeyChallenge, publicURL: String) throws -> ApprovalPasskeyOptions {
        let rp = try WebAuthnRelyingParty(publicURL: publicURL)
        return ApprovalPasskeyOptions(challenge: challenge.challenge, rpId: rp.id, userHandle: Base64URL.encode(Array(device.id.utf8)),
                                      userName: user.userPrincipalName, userDisplayName: "\(user.displayName) (\(device.name))",
                                      timeoutMs: Int(Self.ceremonyTimeout * 1000))
    }

    /// `POST /device/v1/approval-passkey`: verifies the new credential against the device's open
    /// challenge (type `webauthn.create`, challenge, origin, RP ID hash, UP and UV) and stores it
    /// once. The challenge is spent only by a registration that verifies.
    public func registerApprovalPasskey(for device: Device, _ request: ApprovalPasskeyRequest, publicURL: String) async throws {
        guard device.platform == .web else {
            throw TandemError(.badRequest, "Only a web authenticator registers an approval passkey; this one has an approval key.")
        }
        guard device.approvalPasskey == nil else { throw TandemError(.conflict, "This authenticator already has its approval passkey.") }
        guard let clientData = Base64URL.decode(request.clientDataJSON), let attestation = Base64URL.decode(request.attestationObject),
              let credentialID = Base64URL.decode(request.credentialId), !credentialID.isEmpty
        else { throw TandemError(.badRequest, "credentialId, clientDataJSON and attestationObject must be base64url.") }
        let now = env.clock.now()
        guard let open = device.approvalPasskeyChallenge, open.expiresAt > now, let challenge = Base64URL.decode(open.challenge) else {
            logger.notice("approval passkey refused: no open challenge", metadata: ["tandem.device": "\(device.id)"])
            throw Self.challengeRefused
        }
        let credential: WebAuthnRelyingParty.NewCredential
        do {
            credential = try await WebAuthnRelyingParty(publicURL: publicURL).verifyRegistration(
                .init(clientDataJSON: clientData, attestationObject: attestation), challenge: challenge,
                policy: .init(requireUserVerification: true), now: now)
        } catch {
            logger.notice("approval passkey refused", metadata: ["tandem.device": "\(device.id)",
                                                                  "tandem.reason": "\(WebAuthnRejection(error)?.rawValue ?? "invalid")"])
            if WebAuthnRejection(error) == .challengeMismatch { throw Self.challengeRefused }
            throw error
        }
        guard ConstantTime.equals(credential.credentialID, credentialID) else {
            throw TandemError(.badRequest, "credentialId is not the credential in the attestation.")
        }
        let passkey = ApprovalPasskey(credentialID: Base64URL.encode(credential.credentialID), publicKey: Base64URL.encode(credential.publicKey.encoded),
                                      signCount: Int64(credential.signCount), backupEligible: credential.backupEligible, registeredAt: now)
        switch try await env.storage.registerApprovalPasskey(deviceID: device.id, challenge: open.challenge, passkey: passkey, now: now) {
        case .registered:
            logger.info("approval passkey registered", metadata: ["tandem.user": "\(device.userID)", "tandem.device": "\(device.id)",
                                                                  "tandem.passkey.type": "\(credential.backupEligible ? "synced" : "deviceBound")"])
        case .alreadyRegistered:
            throw TandemError(.conflict, "This authenticator already has its approval passkey.")
        case .credentialTaken:
            throw TandemError(.conflict, "This passkey is already registered to another authenticator.")
        case .challengeRefused:
            throw Self.challengeRefused
        }
    }

    static let challengeRefused = TandemError(.unauthorized, "The passkey registration challenge is unknown, was already used, or has expired. Register the authenticator again.")

    /// An assertion that verified: what the answer's compare-and-set writes back.
    public struct VerifiedApproval: Sendable, Equatable {
        public let credentialID: String
        /// The counter the assertion was verified against (the compare-and-set's expected value).
        public let expectedSignCount: Int64
        public let signCount: Int64
    }

    /// Checks a web device's approval: an assertion of its approval passkey whose challenge is
    /// SHA-256(`bytes`): type `webauthn.get`, challenge, origin, RP ID hash, UP, UV, credential id,
    /// signature over authData ‖ SHA-256(clientDataJSON), and the counter (when either side counts,
    /// the new value must be greater). Stores nothing: the caller writes the counter with
    /// `record(_:deviceID:storage:)` in the same transaction as the change it approves.
    public func verifyApproval(_ assertion: WebAuthnAssertion?, over bytes: [UInt8], device: Device, publicURL: String) throws -> VerifiedApproval {
        guard let passkey = device.approvalPasskey else {
            logger.notice("web approval refused: no approval passkey", metadata: ["tandem.device": "\(device.id)"])
            throw TandemError(.forbidden, "Register this authenticator's approval passkey first.", wireCode: "passkeyRequired")
        }
        guard let assertion else {
            logger.notice("web approval refused: no assertion", metadata: ["tandem.device": "\(device.id)"])
            throw TandemError(.unauthorized, "An approval from a web authenticator needs a passkey assertion.", wireCode: "assertionRequired")
        }
        guard let credentialID = Base64URL.decode(assertion.credentialId), let clientData = Base64URL.decode(assertion.clientDataJSON),
              let authenticatorData = Base64URL.decode(assertion.authenticatorData), let signature = Base64URL.decode(assertion.signature)
        else { throw TandemError(.badRequest, "The assertion's fields must be base64url.") }
        guard let storedID = Base64URL.decode(passkey.credentialID), ConstantTime.equals(credentialID, storedID) else {
            logger.notice("web approval refused: another credential", metadata: ["tandem.device": "\(device.id)"])
            throw TandemError(.unauthorized, "The assertion is not by this authenticator's approval passkey.")
        }
        guard let keyBytes = Base64URL.decode(passkey.publicKey), let key = try? COSEKey(encoded: keyBytes) else {
            logger.error("stored approval passkey unreadable", metadata: ["tandem.device": "\(device.id)"])
            throw TandemError(.unauthorized, "The assertion is not by this authenticator's approval passkey.")
        }
        do {
            let verified = try WebAuthnRelyingParty(publicURL: publicURL).verifyAssertion(
                .init(clientDataJSON: clientData, authenticatorData: authenticatorData, signature: signature),
                challenge: WebAuthnAssertion.challenge(over: bytes),
                credential: .init(publicKey: key, signCount: UInt32(clamping: passkey.signCount), backupEligible: passkey.backupEligible),
                policy: .init(requireUserVerification: true))
            return VerifiedApproval(credentialID: passkey.credentialID, expectedSignCount: passkey.signCount, signCount: Int64(verified.signCount))
        } catch {
            let rejection = WebAuthnRejection(error)
            if rejection == .signCountRegressed {
                logger.notice("web approval refused: the passkey's signature counter went back", metadata: ["tandem.device": "\(device.id)"])
                throw Self.counterRegression
            }
            logger.notice("web approval refused", metadata: ["tandem.device": "\(device.id)", "tandem.reason": "\(rejection?.rawValue ?? "invalid")"])
            throw TandemError(.unauthorized, "The passkey assertion is not valid: \(rejection?.message ?? error.message).")
        }
    }

    static let counterRegression = TandemError(.unauthorized, "The passkey's signature counter did not increase (a cloned or replayed assertion?).",
                                               wireCode: "counterRegression")

    /// Writes a verified approval's counter by compare-and-set; throws `counterRegression` when
    /// another assertion with the same counter came first (nothing is written then). Call it
    /// inside the transaction of the change it approves, so a refusal undoes that change too.
    public static func record(_ approval: VerifiedApproval, deviceID: String, storage: any TandemStorage) async throws {
        guard try await storage.recordApprovalPasskeyUse(deviceID: deviceID, credentialID: approval.credentialID,
                                                         expectedSignCount: approval.expectedSignCount, signCount: approval.signCount)
        else { throw counterRegression }
    }

    /// `POST /device/v1/phone-sign-in` from a web device: the key-change nonce and an assertion over
    /// `SignedBytes.keyChange(…, change: .phoneSignIn, publicKey: <device key>)`. The nonce, the
    /// counter and the phone sign-in key are written in one transaction. Audited and announced.
    public func enablePhoneSignIn(for device: Device, _ request: WebPhoneSignInRequest, publicURL: String) async throws {
        guard device.platform == .web else { throw TandemError(.badRequest, "This authenticator turns phone sign-in on with its approval key.") }
        guard device.state == .active else { throw TandemError(.conflict, "Confirm the authenticator before enabling phone sign-in.") }
        guard let bytes = SignedBytes.keyChange(deviceID: device.id, nonce: request.nonce, change: .phoneSignIn, publicKey: device.deviceKey) else {
            throw TandemError(.badRequest, "nonce is not a key-change nonce.")
        }
        let approval = try verifyApproval(request.assertion, over: bytes, device: device, publicURL: publicURL)
        var changed = device
        changed.phoneSignInKey = device.deviceKey
        let updated = changed
        let (now, logger) = (env.clock.now(), logger)
        let queued = try await env.transaction { env in  // with its audit entry (decision 0018)
            guard try await env.storage.consumeKeyChangeNonce(digest: SecretDigest.of(request.nonce), deviceID: device.id, now: now) else {
                throw TandemError(.unauthorized, "The key-change nonce is unknown, was already used, or has expired. Fetch a new one.")
            }
            try await Self.record(approval, deviceID: device.id, storage: env.storage)
            try await env.storage.updateDevice(updated)
            return try await AuthenticatorChangeNotices(env: env, logger: logger).announceStored(.phoneSignInEnabled, device: updated)
        }
        logger.info("phone sign-in enabled", metadata: ["tandem.user": "\(device.userID)", "tandem.device": "\(device.id)"])
        await AuthenticatorChangeNotices(env: env, logger: logger).deliver(queued)
    }
}
