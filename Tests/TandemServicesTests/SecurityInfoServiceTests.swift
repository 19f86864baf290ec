import Foundation
import TandemCore
import TandemServices
import TandemTesting
import Testing

@Suite("Security info")
struct SecurityInfoServiceTests {
    @Test("The overview lists the password and the devices; the default method offers what is registered")
    func overview() async throws {
        let s = try await Scenario()
        let security = SecurityInfoService(env: s.t.env)
        var info = try await security.overview(of: s.user)
        #expect(info.hasPassword && info.devices.isEmpty && info.defaultChoices.isEmpty && info.defaultMethod == nil)
        _ = try await s.addPhone(name: "Pixel")
        info = try await security.overview(of: s.user)
        #expect(info.devices.map(\.name) == ["Pixel"] && info.defaultChoices == [.push] && info.defaultMethod == .push)
        try await VerificationCodeServiceTests.enableCodes(s)
        _ = try await s.addPhone(name: "iPhone")
        info = try await security.overview(of: s.user)
        #expect(info.defaultChoices == [.push, .oath] && info.codeDeviceIDs.count == 1)
    }

    @Test("The default method is stored as the preferred method, audited, and refused when not available")
    func defaultMethod() async throws {
        let s = try await Scenario()
        let security = SecurityInfoService(env: s.t.env)
        _ = try await s.addPhone()
        await #expect(throws: TandemError(.badRequest, "")) { try await security.setDefaultMethod("oath", for: s.user) }
        await #expect(throws: TandemError(.badRequest, "")) { try await security.setDefaultMethod("sms", for: s.user) }
        try await security.setDefaultMethod("push", for: s.user)
        #expect(try await s.t.storage.user(id: s.user.id)?.preferredMethod == "push")
        #expect(try await s.t.storage.audits(limit: 5, before: nil).contains { $0.property == "preferredMethod" && $0.initiatedByID == s.user.id })
    }

    @Test("Deleting a device withdraws its pending request and stops its answers at once; others' devices are not mine to delete")
    func delete() async throws {
        let s = try await Scenario()
        let phone = try await s.addPhone()
        let token = try await s.startMFA()
        let (offer, number) = try await s.offer(for: token, phone: phone)
        let security = SecurityInfoService(env: s.t.env)
        let bob = try await DirectoryService(env: s.t.env).addUser(userPrincipalName: "bob@contoso.com", displayName: "Bob", password: nil)
        await #expect(throws: TandemError(.notFound, "")) { try await security.deleteDevice(id: phone.deviceID, of: bob) }
        #expect(try await security.deleteDevice(id: phone.deviceID, of: s.user) == "Phone")
        #expect(try await s.t.storage.challenge(id: offer.id)?.state == .withdrawn)
        await #expect(throws: TandemError(.unauthorized, "")) {
            try await s.challenges.answer(challengeID: offer.id, phone.answer(offer, .approve, number: number))
        }
        #expect(try await security.overview(of: s.user).devices.isEmpty)
        await #expect(throws: TandemError(.notFound, "")) { try await security.deleteDevice(id: phone.deviceID, of: s.user) }
    }
}
