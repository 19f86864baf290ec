import Foundation
import Logging
import TandemCore
import TandemServer
import TandemServices
import TandemTesting
import Testing

/// Issue 14's load case through the gate the UDP listener uses: 200 users sign in at once, each
/// request sent twice (a NAS retransmitting), and every one gets one push, one challenge (the
/// same bytes for both copies), and an Accept after the approval.
@Suite("RADIUS under load")
struct RadiusLoadTests {
    static let nas = "192.0.2.1"

    @Test("200 RADIUS sign-ins at once, each retransmitted: 200 pushes, none lost or doubled, 200 Accepts")
    func twoHundredAtOnce() async throws {
        let t = TestEnvironment(seed: 14)
        let sealer = RadiusSecretBox(secretKey: nil, random: t.random)
        let registry = RadiusClientRegistry(env: t.env, sealer: sealer)
        let (_, sharedSecret) = try await registry.register(name: "VPN", address: Self.nas, by: nil)
        let secret = Array(sharedSecret.utf8)
        let gate = RadiusGate(registry: registry, signIn: RadiusSignInService(env: t.env, sealer: sealer, wait: 0),
                              clock: t.clock, logger: Logger(label: "test"))
        let registration = RegistrationService(env: t.env)
        let devices = DeviceService(env: t.env)
        let challenges = ChallengeService(env: t.env)
        let context = ChallengeContext(application: "Tandem", ipAddress: "192.0.2.7", location: "", browser: "Test")
        var phones: [(String, TestPhone)] = []
        for index in 0..<200 {
            let user = try await DirectoryService(env: t.env).addUser(userPrincipalName: "user\(index)@contoso.com", displayName: "User \(index)",
                                                                      password: "correct horse")
            var phone = TestPhone()
            let (_, code, _) = try await registration.createActivation(for: user)
            phone.deviceID = try await registration.activate(phone.activation(code: code), context: context).deviceId
            let device = try #require(try await t.storage.device(id: phone.deviceID))
            let offer = try #require(try await devices.pending(for: device).first)
            let number = try #require(try await t.storage.challenge(id: offer.id)?.number)
            #expect(try await challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number)).state == .approved)
            phones.append((user.userPrincipalName, phone))
        }
        let before = t.push.deliveries.count

        func request(_ name: String, _ index: Int, state: [UInt8]? = nil, round: UInt8) -> [UInt8] {
            let authenticator = t.random.bytes(16)
            var attributes: [RadiusAttribute] = [
                .text(.userName, name),
                RadiusAttribute(.userPassword, RadiusPacket.hidePassword(Array("correct horse".utf8), secret: secret, requestAuthenticator: authenticator)),
                .text(.callingStationID, "198.51.\(100 + index / 250).\(index % 250)"),
            ]
            if let state { attributes.append(RadiusAttribute(.state, state)) }
            return RadiusPacket(code: .accessRequest, identifier: UInt8(truncatingIfNeeded: index) &+ round, authenticator: authenticator,
                                attributes: attributes).signedRequest(secret: secret).encoded()
        }

        // Round 1: every request twice at once.
        let replies = try await withThrowingTaskGroup(of: (Int, [UInt8]?, [UInt8]?).self) { group in
            for (index, (name, _)) in phones.enumerated() {
                let datagram = request(name, index, round: 0)
                group.addTask {
                    async let first = gate.answer(datagram, from: Self.nas)
                    async let second = gate.answer(datagram, from: Self.nas)
                    return (index, await first, await second)
                }
            }
            var all: [Int: RadiusPacket] = [:]
            for try await (index, first, second) in group {
                #expect(first != nil && first == second, "user \(index): a retransmission got another answer")
                all[index] = try first.map { try RadiusPacket.decode($0) }
            }
            return all
        }
        let refusals = Set(replies.values.filter { $0.code != .accessChallenge }.map { $0.text(.replyMessage) ?? "-" })
        #expect(replies.values.filter { $0.code == .accessChallenge }.count == 200, "\(refusals)")
        #expect(t.push.deliveries.count - before == 200, "\(t.push.deliveries.count - before) pushes for 200 sign-ins")

        // Every phone approves its one request; round 2 gets 200 Accepts.
        for (index, (_, phone)) in phones.enumerated() {
            let device = try #require(try await t.storage.device(id: phone.deviceID))
            let offers = try await devices.pending(for: device)
            #expect(offers.count == 1, "user \(index) has \(offers.count) requests")
            let offer = try #require(offers.first)
            let number = try #require(try await t.storage.challenge(id: offer.id)?.number)
            _ = try await challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        }
        let accepted = await withTaskGroup(of: RadiusPacket.Code?.self) { group in
            for (index, (name, _)) in phones.enumerated() {
                let state = replies[index]?.attribute(.state)
                let datagram = request(name, index, state: state, round: 1)
                group.addTask { (await gate.answer(datagram, from: Self.nas)).flatMap { try? RadiusPacket.decode($0).code } }
            }
            var count = 0
            for await code in group where code == .accessAccept { count += 1 }
            return count
        }
        #expect(accepted == 200)
    }
}
