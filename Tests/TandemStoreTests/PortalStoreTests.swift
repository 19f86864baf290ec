import Foundation
import TandemCore
import TandemServices
import TandemStore
import TandemTesting
import Testing

/// The portal's storage, the same from every backend: verification-code secrets and their
/// used-step compare-and-set, the last sign-in method, Temporary Access Passes, flow choices.
@Suite("Portal storage conformance")
struct PortalStoreTests {
    @Test("A code step is used once, only forwards, only on an active device with a secret", arguments: Backend.allCases)
    func totpSteps(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            var device = Fixtures.device(userID: user.id)
            try await s.insertDevice(device)
            #expect(try await s.useTOTPStep(deviceID: device.id, step: 5) == false, "no secret yet")
            try await s.setTOTPSecret(deviceID: device.id, secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
            #expect(try await s.totpCredentials(userID: user.id) == [TOTPCredential(deviceID: device.id, secret: "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP", lastUsedStep: nil)])
            #expect(try await s.useTOTPStep(deviceID: device.id, step: 59_000_000_000))
            #expect(try await s.useTOTPStep(deviceID: device.id, step: 59_000_000_000) == false)
            #expect(try await s.useTOTPStep(deviceID: device.id, step: 58_999_999_999) == false)
            #expect(try await s.totpCredentials(userID: user.id).first?.lastUsedStep == 59_000_000_000)
            #expect(try await s.useTOTPStep(deviceID: device.id, step: 59_000_000_001))
            device.state = .unconfirmed
            try await s.updateDevice(device)
            #expect(try await s.totpCredentials(userID: user.id).isEmpty)
            #expect(try await s.useTOTPStep(deviceID: device.id, step: 59_000_000_002) == false)
            device.state = .active
            try await s.updateDevice(device)
            try await s.deleteTOTPSecret(deviceID: device.id)
            #expect(try await s.totpCredentials(userID: user.id).isEmpty)
        }
    }

    @Test("A stored secret is replaced only from the text it still holds, keeping its last used step (decision 0027)", arguments: Backend.allCases)
    func totpReplace(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let device = Fixtures.device(userID: user.id)
            try await s.insertDevice(device)
            try await s.setTOTPSecret(deviceID: device.id, secret: "JBSWY3DPEHPK3PXP")
            #expect(try await s.useTOTPStep(deviceID: device.id, step: 42))
            #expect(try await s.allTOTPSecrets().map(\.secret) == ["JBSWY3DPEHPK3PXP"])
            #expect(try await s.replaceTOTPSecret(deviceID: device.id, old: "WRONG", new: "sealed1.x") == false)
            #expect(try await s.replaceTOTPSecret(deviceID: device.id, old: "JBSWY3DPEHPK3PXP", new: "sealed1.x"))
            #expect(try await s.replaceTOTPSecret(deviceID: device.id, old: "JBSWY3DPEHPK3PXP", new: "sealed1.y") == false, "once")
            #expect(try await s.totpCredentials(userID: user.id) == [TOTPCredential(deviceID: device.id, secret: "sealed1.x", lastUsedStep: 42)])
            #expect(try await s.allTOTPSecrets().map(\.deviceID) == [device.id])
        }
    }

    @Test("Racing uses of one step: exactly one wins", arguments: Backend.allCases)
    func totpRace(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let device = Fixtures.device(userID: user.id)
            try await s.insertDevice(device)
            try await s.setTOTPSecret(deviceID: device.id, secret: "JBSWY3DPEHPK3PXP")
            let wins = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<10 { group.addTask { try await s.useTOTPStep(deviceID: device.id, step: 1000) } }
                var count = 0
                for try await won in group where won { count += 1 }
                return count
            }
            #expect(wins == 1)
        }
    }

    @Test("The last sign-in method round-trips", arguments: Backend.allCases)
    func lastMethod(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            #expect(try await s.lastSignInMethod(userID: user.id) == nil)
            try await s.setLastSignInMethod(userID: user.id, method: "passwordless")
            #expect(try await s.lastSignInMethod(userID: user.id) == "passwordless")
            try await s.setLastSignInMethod(userID: user.id, method: "password")
            #expect(try await s.lastSignInMethod(userID: user.id) == "password")
        }
    }

    @Test("Passes round-trip, a one-time pass is used once, and delete says whether it deleted", arguments: Backend.allCases)
    func passes(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            let user = Fixtures.user()
            try await s.insertUser(user)
            let pass = TemporaryAccessPass(id: UUID().uuidString, userID: user.id, passHash: "$2b$04$hash", createdAt: Fixtures.t0,
                                           startAt: Fixtures.t0.addingTimeInterval(60), lifetimeMinutes: 60, isUsableOnce: true, createdBy: "admin-id")
            try await s.insertTemporaryAccessPass(pass)
            #expect(try await s.temporaryAccessPass(id: pass.id) == pass)
            #expect(try await s.temporaryAccessPasses(userID: user.id) == [pass])
            let at = Fixtures.t0.addingTimeInterval(120)
            #expect(try await s.useTemporaryAccessPass(id: pass.id, at: at))
            #expect(try await s.useTemporaryAccessPass(id: pass.id, at: at) == false)
            #expect(try await s.temporaryAccessPass(id: pass.id)?.usedAt == at)
            #expect(try await s.temporaryAccessPass(id: pass.id)?.usability(at: at) == .oneTimeUsed)
            #expect(try await s.deleteTemporaryAccessPass(id: pass.id))
            #expect(try await s.deleteTemporaryAccessPass(id: pass.id) == false)
            #expect(try await s.temporaryAccessPasses(userID: user.id).isEmpty)
        }
    }

    @Test("A flow keeps its proven factors and the chosen second factor", arguments: Backend.allCases)
    func flowFactors(backend: Backend) async throws {
        try await OpenStore.with(backend) { s in
            var flow = SignInFlow(id: UUID().uuidString, username: "alice@contoso.com", userID: nil,
                                  createdAt: Fixtures.t0, expiresAt: Fixtures.t0.addingTimeInterval(900))
            try await s.insertFlow(flow)
            #expect(try await s.flow(id: flow.id) == flow)
            _ = flow.chooseCode()
            _ = flow.firstFactor(.password, then: .code)
            _ = flow.codeVerified()
            #expect(flow.stage == .code && flow.proven == [.password, .verificationCode] && flow.choice == .code)
            #expect(try await s.updateFlow(flow))
            flow.version += 1
            #expect(try await s.flow(id: flow.id) == flow)
        }
    }
}

@Suite("Temporary Access Pass usability")
struct TemporaryAccessPassUsabilityTests {
    @Test("Not yet valid, usable, expired and used, at the edges")
    func usability() {
        let start = Fixtures.t0
        var pass = TemporaryAccessPass(id: "p", userID: "u", passHash: "h", createdAt: start, startAt: start, lifetimeMinutes: 10, isUsableOnce: true)
        #expect(pass.usability(at: start.addingTimeInterval(-1)) == .notYetValid)
        #expect(pass.usability(at: start) == .enabledByPolicy)
        #expect(pass.usability(at: start.addingTimeInterval(599)) == .enabledByPolicy)
        #expect(pass.usability(at: start.addingTimeInterval(600)) == .expired)
        pass.usedAt = start
        #expect(pass.usability(at: start.addingTimeInterval(1)) == .oneTimeUsed)
    }
}
