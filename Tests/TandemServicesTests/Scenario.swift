import Foundation
import TandemCore
import TandemServices
import TandemTesting

/// A user with a password and registered phones, over the in-memory twins.
struct Scenario {
    let t: TestEnvironment
    let signIn: SignInService
    let challenges: ChallengeService
    let registration: RegistrationService
    let devices: DeviceService
    let user: User
    static let context = ChallengeContext(application: "Tandem", ipAddress: "192.0.2.7", location: "Unknown location", browser: "Test browser")

    init(seed: UInt64 = 42, settings: ServiceSettings = ServiceSettings(publicURL: "http://127.0.0.1:8080"),
         locator: any Locator = NoLocator()) async throws {
        t = TestEnvironment(seed: seed, settings: settings, locator: locator)
        signIn = SignInService(env: t.env)
        challenges = ChallengeService(env: t.env)
        registration = RegistrationService(env: t.env)
        devices = DeviceService(env: t.env)
        user = try await DirectoryService(env: t.env).addUser(userPrincipalName: "alice@contoso.com", displayName: "Alice", password: "correct horse")
    }

    /// Registers a phone and approves its confirmation push.
    func addPhone(name: String = "Phone") async throws -> TestPhone {
        var phone = TestPhone()
        let (_, code, _) = try await registration.createActivation(for: user)
        let response = try await registration.activate(phone.activation(code: code, name: name), context: Self.context)
        phone.deviceID = response.deviceId
        let device = try require(try await t.storage.device(id: phone.deviceID))
        let offer = try require(try await devices.pending(for: device).first)
        let number = try require(try await t.storage.challenge(id: offer.id)?.number)
        let verdict = try await challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        precondition(verdict.state == .approved)
        return phone
    }

    /// Turns on phone sign-in for a phone.
    func enablePhoneSignIn(_ phone: TestPhone) async throws {
        let device = try require(try await t.storage.device(id: phone.deviceID))
        let nonce = try await devices.issueKeyChangeNonce(for: device).nonce
        try await devices.enablePhoneSignIn(for: device, phone.phoneSignInRequest(nonce: nonce))
    }

    /// The offer the phone sees for the flow's current challenge, and the number the browser shows.
    func offer(for flowToken: String, phone: TestPhone) async throws -> (ChallengeOffer, String) {
        let status = try await signIn.status(token: flowToken)
        let device = try require(try await t.storage.device(id: phone.deviceID))
        let offers = try await devices.pending(for: device)
        let current = try await signIn.flow(token: flowToken).challengeID
        let offer = try require(offers.first { $0.id == current })
        return (offer, try require(status.number))
    }

    /// Password, then the MFA push for this user; returns the flow token.
    func startMFA() async throws -> String {
        let (token, _) = try await signIn.begin(username: "alice@contoso.com", context: Self.context)
        let flow = try await signIn.submitPassword(token: token, password: "correct horse", context: Self.context)
        precondition(flow.stage == .push)
        return token
    }
}

struct RequireError: Error {}

func require<T>(_ value: T?) throws -> T {
    guard let value else { throw RequireError() }
    return value
}
