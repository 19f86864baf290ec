import Foundation
import TandemCore
import TandemServices
import TandemTesting

/// A web authenticator's answers (protocol version 3) through `ChallengeService.answer`, seeded
/// with the golden vectors of `Tests/Vectors/web-authenticator-v3.json` (the valid approval, the
/// denial and every invalid assertion). Properties: nothing traps; every refusal is a
/// `TandemError`; an approval is accepted only with the vector's number and exactly the vector's
/// signed authenticator data and client data (any changed byte breaks the passkey's signature),
/// and a refused one leaves the stored counter where it was.
struct WebAnswerService: FuzzTarget {
    let name = "service-web-answer"
    let summary = "ChallengeService.answer with mutated web-authenticator AnswerRequest bodies (device key + passkey assertion)"
    let dictionary = WireTargets.jsonTokens + ["\"assertion\"", "\"authenticatorData\"", "\"clientDataJSON\"", "\"credentialId\"", "\"deny\"", "\"42\""]
    var maxLength: Int { 64 * 1024 }
    let world = Box<TestEnvironment?>(nil)

    static let vectors = WebAuthenticatorVectors.loaded

    static func fixture() async throws -> TestEnvironment {
        let v = vectors
        let t = TestEnvironment(settings: ServiceSettings(publicURL: v.publicURL))
        let user = User(id: "u1", userPrincipalName: "alice@contoso.com", displayName: "Alice", passwordHash: nil, createdAt: t.clock.now())
        try await t.storage.insertUser(user)
        try await t.storage.insertDevice(Device(
            id: v.deviceId, userID: user.id, name: "Vector web phone", appVersion: "web-1", deviceKey: v.deviceKey.publicKey, approvalKey: "",
            state: .active, createdAt: t.clock.now(), platform: .web,
            approvalPasskey: ApprovalPasskey(credentialID: v.registration.credentialId, publicKey: v.registration.publicKey, signCount: 0,
                                             backupEligible: false, registeredAt: t.clock.now())))
        try await t.storage.insertChallenge(Challenge(
            id: v.answer.challengeId, userID: user.id, kind: .mfa, number: "42", nonce: v.answer.nonce,
            context: ChallengeContext(application: "A", ipAddress: "192.0.2.1", location: "L", browser: "B"),
            createdAt: t.clock.now(), expiresAt: t.clock.now().addingTimeInterval(3600)))
        return t
    }

    /// The assertions the vectors' passkey really signed over the approval's bytes: the valid one,
    /// and the counter cases (refused only for their counter, which this fixture's 0 accepts).
    static let genuine: [WebAuthnAssertion] = [vectors.answer.assertion].compactMap { $0 }
        + vectors.invalid.filter { $0.check == "signCountRegressed" }.map(\.assertion)

    func seeds() async throws -> [[UInt8]] {
        world.value = try await Self.fixture()
        let v = Self.vectors
        let approve = AnswerRequest(deviceId: v.deviceId, decision: .approve, number: v.answer.number, signature: v.answer.signature,
                                    assertion: v.answer.assertion)
        let deny = AnswerRequest(deviceId: v.deviceId, decision: .deny, number: nil, signature: v.deny.signature)
        let invalid = v.invalid.map {
            AnswerRequest(deviceId: v.deviceId, decision: .approve, number: v.answer.number, signature: v.answer.signature, assertion: $0.assertion)
        }
        return ([approve, deny] + invalid).map { Array(WireTargets.encode($0).utf8) }
    }

    func run(_ input: [UInt8]) async throws -> Bool {
        guard let request = try? WireCoding.decoder().decode(AnswerRequest.self, from: Data(input)) else { return false }
        guard let t = world.value else { throw Finding("no fixture") }
        let v = Self.vectors
        var answer: AnswerResponse?
        _ = try await refusalOrSuccess { answer = try await ChallengeService(env: t.env).answer(challengeID: v.answer.challengeId, request) }
        let count = try await t.storage.device(id: v.deviceId)?.approvalPasskey?.signCount
        guard let answer else {
            try check(count == 0, "a refused answer moved the counter to \(String(describing: count))")
            return false
        }
        if request.decision == .approve {
            try check(request.number == "42", "approved with number \(String(describing: request.number))")
            let authData = request.assertion.flatMap { Base64URL.decode($0.authenticatorData) }
            let clientData = request.assertion.flatMap { Base64URL.decode($0.clientDataJSON) }
            try check(Self.genuine.contains { Base64URL.decode($0.authenticatorData) == authData && Base64URL.decode($0.clientDataJSON) == clientData },
                      "approved with an assertion that was never made: \(answer.state)")
            let signed = authData.map { Int64($0[33..<37].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }) }
            try check(count == signed, "approved but stored counter \(String(describing: count)), the assertion's is \(String(describing: signed))")
        }
        world.value = try await Self.fixture()   // the request is answered: start again
        return true
    }
}
