import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

@Suite("Device service")
struct DeviceServiceTests {
    @Test("A signed request is accepted within the clock skew and refused outside it")
    func signedRequests() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let now = s.t.clock.now()
        let ok = try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: now)
        let device = try await s.devices.authenticate(deviceID: ok["X-Tandem-Device"], time: ok["X-Tandem-Time"],
                                                      signature: ok["X-Tandem-Signature"], method: "GET", path: "/device/v1/pending")
        #expect(device.id == phone.deviceID)
        let old = try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: now.addingTimeInterval(-301))
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.devices.authenticate(deviceID: old["X-Tandem-Device"], time: old["X-Tandem-Time"],
                                             signature: old["X-Tandem-Signature"], method: "GET", path: "/device/v1/pending")
        }
        // Signed for another path.
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.devices.authenticate(deviceID: ok["X-Tandem-Device"], time: ok["X-Tandem-Time"],
                                             signature: ok["X-Tandem-Signature"], method: "POST", path: "/device/v1/phone-sign-in")
        }
    }

    @Test("The channel is opened only with a signature over the server's nonce")
    func channel() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let auth = try phone.channelAuth(nonce: "bm9uY2Utb25l")
        _ = try await s.devices.authenticateChannel(deviceID: auth.deviceId, nonce: "bm9uY2Utb25l", signature: auth.signature)
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.devices.authenticateChannel(deviceID: auth.deviceId, nonce: "bm9uY2UtdHdv", signature: auth.signature)
        }
    }

    @Test("Phone sign-in needs a proof by the new key")
    func phoneSignInProof() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let device = try #require(try await s.t.storage.device(id: phone.deviceID))
        var request = try phone.phoneSignInRequest()
        request.proof = try phone.phoneSignInRequest().proof.replacingOccurrences(of: "A", with: "B")
        request.publicKey = DeviceSignature.encode(TestPhone().phoneSignInKey.publicKey)
        await #expect(throws: TandemError.self) { try await s.devices.enablePhoneSignIn(for: device, request) }
        try await s.devices.enablePhoneSignIn(for: device, phone.phoneSignInRequest())
        #expect(try await s.t.storage.device(id: phone.deviceID)?.phoneSignInKey != nil)
    }

    @Test("A removed device can neither list nor answer")
    func removed() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        var device = try #require(try await s.t.storage.device(id: phone.deviceID))
        device.state = .removed
        await s.t.storage.updateDevice(device)
        let headers = try phone.signedHeaders(method: "GET", path: "/device/v1/pending", time: s.t.clock.now())
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.devices.authenticate(deviceID: headers["X-Tandem-Device"], time: headers["X-Tandem-Time"],
                                             signature: headers["X-Tandem-Signature"], method: "GET", path: "/device/v1/pending")
        }
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        }
    }
}
