import AsyncHTTPClient
import Foundation
import TandemCore

/// The authenticator's use cases: add an account, turn phone sign-in on and off, list, approve,
/// deny and report requests, listen for pushes. What a phone app's UI calls.
///
/// Keys: each account has a device key (`.none`: channel, pending, deny, report), an approval
/// key (`.pin`: approvals of `mfa` and `registration` requests) and, while phone sign-in is on,
/// a phone sign-in key (`.pin`: approvals of `passwordless` requests).
public struct Authenticator: Sendable {
    /// Sent as `appVersion` at activation and as the HTTP User-Agent.
    public static let appVersion = "tandem-authenticator/0.1.0"

    /// Where accounts are saved.
    public let accountStore: AccountStore
    /// Where keys are kept.
    public let keyStore: any KeyStore
    /// Where verification-code secrets are kept; `nil` when this app keeps none (a secret the
    /// server sends is then ignored).
    public let oathStore: (any OATHSecretStore)?
    private let httpClient: HTTPClient
    private let timeoutSeconds: Int64
    let now: @Sendable () -> Date

    /// Creates an authenticator over explicit stores. `now` stamps signed requests and new
    /// accounts and picks the verification code; `timeoutSeconds` bounds each HTTP request.
    /// Without `oathStore`, a key store that is also an `OATHSecretStore` keeps the secrets.
    public init(accountStore: AccountStore, keyStore: any KeyStore, oathStore: (any OATHSecretStore)? = nil,
                httpClient: HTTPClient = .shared, timeoutSeconds: Int64 = 15, now: @escaping @Sendable () -> Date = { Date() }) {
        self.accountStore = accountStore
        self.keyStore = keyStore
        self.oathStore = oathStore ?? keyStore as? any OATHSecretStore
        self.httpClient = httpClient
        self.timeoutSeconds = timeoutSeconds
        self.now = now
    }

    /// Creates an authenticator whose accounts are in `home/accounts.json` and keys in `home/keys/`.
    public init(home: URL) {
        self.init(accountStore: AccountStore(home: home), keyStore: FileKeyStore(folder: home.appendingPathComponent("keys")))
    }

    /// The saved accounts.
    public func accounts() throws -> [Account] {
        try accountStore.load()
    }

    /// The account a device id or user principal name names; without one, the only account.
    public func account(matching selector: String?) throws -> Account {
        try accountStore.account(matching: selector)
    }

    /// The device API client for an account's server.
    public func client(for account: Account) -> TandemDeviceClient {
        TandemDeviceClient(serverURL: account.serverURL, httpClient: httpClient, timeoutSeconds: timeoutSeconds, now: now)
    }

    // MARK: Adding an account

    /// Registers this authenticator with the link from the security-info page
    /// (`<server>/device/v1/activate?code=CODE`): creates the device key and the PIN-protected
    /// approval key, redeems the code, keeps the verification-code secret when the server sends
    /// one, and saves the account.
    ///
    /// The server then waits for the new device to approve a `registration` request, whose number
    /// the security-info page shows.
    public func add(activationURL: String, deviceName: String, pin: String) async throws -> Account {
        let link = try ActivationLink(parsing: activationURL)
        let pin = try keyStore.hasPINProtectedKeys() ? PINPolicy.validate(pin) : PINPolicy.validateNew(pin)
        let name = deviceName.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...100).contains(name.count) else {
            throw AuthenticatorError(.invalidInput, "the device name must be 1 to 100 characters")
        }
        let local = Self.newLabelSuffix()
        let deviceKeyLabel = "device-\(local)"
        let approvalKeyLabel = "approval-\(local)"
        do {
            let deviceKey = try keyStore.createKey(label: deviceKeyLabel, protection: .none, pin: nil)
            let approvalKey = try keyStore.createKey(label: approvalKeyLabel, protection: .pin, pin: pin)
            let client = TandemDeviceClient(serverURL: link.serverURL, httpClient: httpClient, timeoutSeconds: timeoutSeconds, now: now)
            let response = try await client.activate(ActivationRequest(
                code: link.code, deviceName: name, appVersion: Self.appVersion, deviceKey: deviceKey, approvalKey: approvalKey))
            let account = Account(
                deviceId: response.deviceId, userId: response.userId, userPrincipalName: response.userPrincipalName,
                displayName: response.displayName, serverURL: link.serverURL, deviceKeyLabel: deviceKeyLabel,
                approvalKeyLabel: approvalKeyLabel, createdAt: now())
            return try save(account, totpSecret: response.totpSecret, label: "totp-\(local)")
        } catch {
            try? keyStore.deleteKey(label: deviceKeyLabel)
            try? keyStore.deleteKey(label: approvalKeyLabel)
            throw error
        }
    }

    /// Saves a new account and, when the server sent one (`ActivationResponse.totpSecret`), its
    /// verification-code secret under `label`. A malformed secret is a protocol violation.
    func save(_ account: Account, totpSecret: String?, label: String) throws -> Account {
        var account = account
        if let totpSecret, let oathStore {
            guard let secret = Base32.decode(totpSecret), secret.count >= TOTP.issuedSecretLength,
                  let totp = try? TOTP(secret: secret)
            else { throw AuthenticatorError(.protocolViolation, "the server sent a malformed verification-code secret") }
            try oathStore.saveTOTP(totp, label: label)
            account.totpSecretLabel = label
        }
        do {
            try accountStore.upsert(account)
        } catch {
            if let saved = account.totpSecretLabel { try? oathStore?.deleteTOTP(label: saved) }
            throw error
        }
        return account
    }

    /// Forgets an account on this device and deletes its keys (the server is not told).
    public func remove(account: Account) throws {
        try accountStore.remove(account)
        for label in [account.deviceKeyLabel, account.approvalKeyLabel] + [account.phoneSignInKeyLabel].compactMap({ $0 }) {
            try? keyStore.deleteKey(label: label)
        }
        if let label = account.totpSecretLabel { try? oathStore?.deleteTOTP(label: label) }
    }

    // MARK: Phone sign-in

    /// Turns passwordless phone sign-in on: fetches a single-use key-change nonce, creates a
    /// PIN-protected phone sign-in key, and signs `SignedBytes.keyChange` (device, nonce, new key)
    /// with the new key (possession) **and with the PIN-protected approval key** (the person
    /// unlocked this app), then registers it. A previous phone sign-in key is replaced. Without
    /// the PIN, a copy of the channel key and `accounts.json` cannot do this.
    public func enablePhoneSignIn(account: Account, pin: String) async throws -> Account {
        let pin = try PINPolicy.validate(pin)
        let client = client(for: account)
        let nonce = try await client.keyChangeNonce(deviceID: account.deviceId, sign: deviceSigner(account)).nonce
        let label = "phone-sign-in-\(Self.newLabelSuffix())"
        do {
            let publicKey = try keyStore.createKey(label: label, protection: .pin, pin: pin)
            let bytes = try Self.keyChangeBytes(deviceID: account.deviceId, nonce: nonce, change: .phoneSignIn, publicKey: publicKey)
            let approvalSignature = try keyStore.sign(bytes, label: account.approvalKeyLabel, pin: pin)
            let proof = try keyStore.sign(bytes, label: label, pin: pin)
            try await client.enablePhoneSignIn(
                PhoneSignInRequest(publicKey: publicKey, nonce: nonce, proof: proof, approvalSignature: approvalSignature),
                deviceID: account.deviceId, sign: deviceSigner(account))
        } catch {
            try? keyStore.deleteKey(label: label)
            throw error
        }
        var updated = account
        let previous = updated.phoneSignInKeyLabel
        updated.phoneSignInKeyLabel = label
        updated.phoneSignInEnabled = true
        try accountStore.upsert(updated)
        if let previous, previous != label { try? keyStore.deleteKey(label: previous) }
        return updated
    }

    /// Turns phone sign-in off on the server and deletes the phone sign-in key. No PIN: turning
    /// a capability off is always allowed.
    public func disablePhoneSignIn(account: Account) async throws -> Account {
        try await client(for: account).disablePhoneSignIn(deviceID: account.deviceId, sign: deviceSigner(account))
        var updated = account
        let previous = updated.phoneSignInKeyLabel
        updated.phoneSignInKeyLabel = nil
        updated.phoneSignInEnabled = false
        try accountStore.upsert(updated)
        if let previous { try? keyStore.deleteKey(label: previous) }
        return updated
    }

    // MARK: Requests

    /// The requests this device may answer now (`GET pending`, signed with the device key).
    public func pending(account: Account) async throws -> [ChallengeOffer] {
        try await client(for: account).pending(deviceID: account.deviceId, sign: deviceSigner(account))
    }

    /// The notices about the user's other authenticators (added, phone sign-in turned on or
    /// off) not shown on this device before.
    public func notices(account: Account) async throws -> [DeviceNotice] {
        try await client(for: account).notices(deviceID: account.deviceId, sign: deviceSigner(account))
    }

    /// Approves a request with the number typed from the browser. Signs with the approval key
    /// (`mfa`, `registration`) or the phone sign-in key (`passwordless`); both need the PIN.
    ///
    /// Returns the server's verdict: `approved`, or `denied` with reason `wrongNumber`.
    public func approve(offer: ChallengeOffer, account: Account, number: String, pin: String) async throws -> AnswerResponse {
        let typed = number.trimmingCharacters(in: .whitespaces)
        guard NumberMatch.isWellFormed(typed) else {
            throw AuthenticatorError(.invalidInput, "the number must be 1 to 8 digits")
        }
        let pin = try PINPolicy.validate(pin)
        let label = try approvalKeyLabel(for: offer.kind, account: account)
        let bytes = try answerBytes(offer: offer, account: account, decision: .approve, number: typed)
        let signature = try keyStore.sign(bytes, label: label, pin: pin)
        return try await client(for: account).answer(
            challengeID: offer.id,
            AnswerRequest(deviceId: account.deviceId, decision: .approve, number: typed, signature: signature))
    }

    /// Denies a request. Signed with the device key: no PIN, so a flood of requests can be
    /// refused at once.
    public func deny(offer: ChallengeOffer, account: Account) async throws -> AnswerResponse {
        try await refuse(offer: offer, account: account, decision: .deny)
    }

    /// "No, it's not me": denies and reports the request as suspicious. Device key, no PIN.
    public func report(offer: ChallengeOffer, account: Account) async throws -> AnswerResponse {
        try await refuse(offer: offer, account: account, decision: .report)
    }

    /// Opens the push channel for an account.
    public func listen(account: Account, backoff: ReconnectBackoff = .init()) -> AsyncThrowingStream<PushEvent, any Error> {
        PushListener(channelURL: client(for: account).channelURL, deviceID: account.deviceId, backoff: backoff,
                     sign: deviceSigner(account)).events()
    }

    // MARK: Helpers

    private func refuse(offer: ChallengeOffer, account: Account, decision: AnswerDecision) async throws -> AnswerResponse {
        let bytes = try answerBytes(offer: offer, account: account, decision: decision, number: nil)
        let signature = try keyStore.sign(bytes, label: account.deviceKeyLabel, pin: nil)
        return try await client(for: account).answer(
            challengeID: offer.id,
            AnswerRequest(deviceId: account.deviceId, decision: decision, number: nil, signature: signature))
    }

    /// The bytes this authenticator signs to answer `offer`.
    public func answerBytes(offer: ChallengeOffer, account: Account, decision: AnswerDecision, number: String?) throws -> [UInt8] {
        guard let bytes = SignedBytes.answer(
            challengeID: offer.id, nonce: offer.nonce, deviceID: account.deviceId, decision: decision, number: number)
        else { throw AuthenticatorError(.protocolViolation, "the request \(offer.id) cannot be answered: malformed id or nonce") }
        return bytes
    }

    /// The key that approves a request of this kind.
    public func approvalKeyLabel(for kind: ChallengeKind, account: Account) throws -> String {
        switch kind {
        case .mfa, .registration:
            return account.approvalKeyLabel
        case .passwordless:
            guard account.phoneSignInEnabled, let label = account.phoneSignInKeyLabel else {
                throw AuthenticatorError(.phoneSignInOff, "phone sign-in is off on this device for \(account.userPrincipalName)")
            }
            return label
        }
    }

    /// The bytes a key change signs (approval key and new key).
    static func keyChangeBytes(deviceID: String, nonce: String, change: DeviceKeyChange, publicKey: String) throws -> [UInt8] {
        guard let bytes = SignedBytes.keyChange(deviceID: deviceID, nonce: nonce, change: change, publicKey: publicKey) else {
            throw AuthenticatorError(.protocolViolation, "cannot sign a key change for device \(deviceID): malformed nonce or key")
        }
        return bytes
    }

    private func deviceSigner(_ account: Account) -> DeviceSigner {
        let keyStore = keyStore
        let label = account.deviceKeyLabel
        return { bytes in try keyStore.sign(bytes, label: label, pin: nil) }
    }

    /// 16 random bytes, base64url: unique key labels before the server assigns a device id.
    static func newLabelSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }
}
