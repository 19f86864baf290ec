import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

@Suite("Registration service")
struct RegistrationServiceTests {
    @Test("A device is active only after its confirmation push is approved")
    func confirmation() async throws {
        let s = try await Scenario()
        var phone = TestPhone()
        let (activation, code, url) = try await s.registration.createActivation(for: s.user)
        #expect(url == "http://127.0.0.1:8080/device/v1/activate?code=\(code)")
        #expect(Base32.decode(code)?.count == 20)
        #expect(try await s.registration.status(activationID: activation.id, userID: s.user.id).state == .awaitingDevice)
        phone.deviceID = try await s.registration.activate(phone.activation(code: code), context: Scenario.context).deviceId
        #expect(try await s.t.storage.device(id: phone.deviceID)?.state == .unconfirmed)
        // An unconfirmed device gets no sign-in pushes: the password still gives only the registration interrupt (decision 0013).
        let (token, _) = try await s.signIn.begin(username: "alice@contoso.com", context: Scenario.context)
        #expect(try await s.signIn.submitPassword(token: token, password: "correct horse", context: Scenario.context).stage == .register)
        let status = try await s.registration.status(activationID: activation.id, userID: s.user.id)
        #expect(status.state == .confirming)
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        let offer = try #require(try await s.devices.pending(for: device).first)
        #expect(offer.kind == .registration)
        _ = try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: try #require(status.number)))
        #expect(try await s.t.storage.device(id: phone.deviceID)?.state == .active)
        #expect(try await s.registration.status(activationID: activation.id, userID: s.user.id).state == .active)
    }

    @Test("An activation code works once")
    func codeOnce() async throws {
        let s = try await Scenario()
        let (_, code, _) = try await s.registration.createActivation(for: s.user)
        _ = try await s.registration.activate(TestPhone().activation(code: code), context: Scenario.context)
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.registration.activate(TestPhone().activation(code: code), context: Scenario.context)
        }
    }

    @Test("An activation code expires after 10 minutes by the server clock")
    func codeExpires() async throws {
        let s = try await Scenario()
        let (activation, code, _) = try await s.registration.createActivation(for: s.user)
        s.t.clock.advance(by: 601)
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.registration.activate(TestPhone().activation(code: code), context: Scenario.context)
        }
        #expect(try await s.registration.status(activationID: activation.id, userID: s.user.id).state == .expired)
    }

    @Test("Malformed activations are refused with a clear message", arguments: ["bad key", "same keys", "empty name", "garbage code"])
    func malformed(variant: String) async throws {
        let s = try await Scenario()
        let (_, code, _) = try await s.registration.createActivation(for: s.user)
        var request = TestPhone().activation(code: code)
        switch variant {
        case "bad key": request.deviceKey = "AAAA"
        case "same keys": request.approvalKey = request.deviceKey
        case "empty name": request.deviceName = "  "
        default: request.code = "not a code!"
        }
        await #expect(throws: TandemError.self) { try await s.registration.activate(request, context: Scenario.context) }
        // A refused request does not burn the code (except a wrong code, which never matched).
        if variant != "garbage code" {
            _ = try await s.registration.activate(TestPhone().activation(code: code), context: Scenario.context)
        }
    }

    @Test("A registration push can be approved only by the new device")
    func onlyNewDevice() async throws {
        let s = try await Scenario()
        let old = try await s.addPhone(name: "Old")
        var phone = TestPhone()
        let (activation, code, _) = try await s.registration.createActivation(for: s.user)
        phone.deviceID = try await s.registration.activate(phone.activation(code: code), context: Scenario.context).deviceId
        let status = try await s.registration.status(activationID: activation.id, userID: s.user.id)
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        let offer = try #require(try await s.devices.pending(for: device).first)
        let oldDevice = try #require(try await s.t.storage.device(id: old.deviceID))
        #expect(try await s.devices.pending(for: oldDevice).isEmpty)
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.challenges.answer(challengeID: offer.id, old.answer(offer, .approve, number: try #require(status.number)))
        }
    }
}
