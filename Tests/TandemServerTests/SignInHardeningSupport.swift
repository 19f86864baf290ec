import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import TandemCore
import TandemServer
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// Fixtures for decision 0013: a user the policy covers and who has no second factor gets only the
/// registration interrupt from the password, so tests that need a full session either sign in
/// with the phone they registered or take the user out of the policy (an administrator's choice).
extension Browser {
    /// Password, then the MFA push approved on `phone`, then the session. Returns the completion response.
    @discardableResult
    func signInWithPush(_ phone: TestPhone, upn: String = "alice@contoso.com", password: String = "correct horse") async throws -> TestResponse {
        try await request("/login", method: .post, form: ["username": upn])
        let typed = try await request("/login/password", method: .post, form: ["password": password])
        #expect(typed.headers[.location] == "/login/approve", "\(typed.text)")
        let number = try #require(try await request("/login/status").json(PushChannelTests.StatusView.self).number)
        let offer = try #require(try await PushChannelTests.pending(phone, client).first { $0.kind == .mfa })
        #expect(try await PushChannelTests.answer(phone, offer, .approve, number: number, client).state == .approved)
        let done = try await request("/login/complete")
        #expect(cookies[cookiePrefix + "tandem_session"] != nil)
        return done
    }

    /// The first sign-in of a user with nothing registered: the password gives the registration
    /// interrupt; the phone is registered there; then a full sign-in with it.
    func registerAndSignIn() async throws -> TestPhone {
        try await signInWithPassword()
        let phone = try await PushChannelTests.registerPhone(self)
        try await signInWithPush(phone)
        return phone
    }
}

extension TestServer {
    /// Takes users out of the authentication-methods policy, so they sign in with the password alone.
    static func allowPasswordOnly(_ store: SQLStore, _ names: [String]) async throws {
        let env = ServiceEnvironment(storage: store, push: RecordingPushNotifier(), events: ImmediateChallengeEvents(),
                                     passwords: BcryptPasswordHasher(cost: 4), clock: SystemClock(), random: SystemRandomSource(),
                                     settings: ServiceSettings(publicURL: "http://127.0.0.1"))
        var policy = try await PolicyService(env: env).authenticatorPolicy()
        for name in names {
            let user = try #require(try await store.user(principalName: name))
            policy.excludeTargets.append(.init(targetType: .user, id: user.id))
        }
        try await PolicyService(env: env).save(policy, by: nil)
    }
}
