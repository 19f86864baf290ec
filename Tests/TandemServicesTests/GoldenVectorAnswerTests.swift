import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

@Suite("Golden vectors on the server side")
struct GoldenVectorAnswerTests {
    /// The server accepts each vector's answer, signed once by the test key, exactly as written in
    /// the file: the server's verification and the client's bytes agree byte for byte.
    @Test("The server accepts the vector answers", arguments: ["answer-approve", "answer-approve-six-digits", "answer-deny", "answer-report"])
    func serverAcceptsVectorAnswer(name: String) async throws {
        let vectors = SignedBytesVectors.loaded
        let vector = try #require(vectors.valid.first { $0.name == name })
        let inputs = vector.inputs
        let t = TestEnvironment()
        let user = User(id: "u1", userPrincipalName: "alice@contoso.com", displayName: "Alice", passwordHash: nil, createdAt: t.clock.now())
        try await t.storage.insertUser(user)
        // The test key stands in for both the device key (deny, report) and the approval key (approve).
        try await t.storage.insertDevice(Device(id: try #require(inputs.deviceID), userID: user.id, name: "Vector phone", appVersion: "1",
                                                deviceKey: vectors.testKey.publicKey, approvalKey: vectors.testKey.publicKey,
                                                state: .active, createdAt: t.clock.now()))
        let challenge = Challenge(id: try #require(inputs.challengeID), userID: user.id, kind: .mfa,
                                  number: inputs.number ?? "42", nonce: try #require(inputs.nonce),
                                  context: ChallengeContext(application: "A", ipAddress: "192.0.2.1", location: "L", browser: "B"),
                                  createdAt: t.clock.now(), expiresAt: t.clock.now().addingTimeInterval(120))
        try await t.storage.insertChallenge(challenge)
        let decision = try #require(inputs.decision)
        let response = try await ChallengeService(env: t.env).answer(
            challengeID: challenge.id,
            AnswerRequest(deviceId: try #require(inputs.deviceID), decision: decision, number: inputs.number, signature: vector.signature))
        switch decision {
        case .approve: #expect(response.state == .approved)
        case .deny: #expect(response.state == .denied && response.reason == .userDenied)
        case .report: #expect(response.state == .reported)
        }
    }
}
