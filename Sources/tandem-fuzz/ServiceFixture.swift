import Crypto
import Foundation
import TandemCore
import TandemServices
import TandemTesting

/// A deterministic service world over the in-memory twins: the same seed and the same fixed
/// device keys give the same user, device, challenge id, nonce and number every time it is built,
/// so a seed answer signed once stays valid after the world is rebuilt.
struct ServiceFixture: Sendable {
    static let context = ChallengeContext(application: "Tandem", ipAddress: "192.0.2.7", location: "Unknown location", browser: "fuzz")
    static let deviceKey = try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x11, count: 32))
    static let approvalKey = try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x22, count: 32))
    static let phoneSignInKey = try! P256.Signing.PrivateKey(rawRepresentation: [UInt8](repeating: 0x33, count: 32))

    let t: TestEnvironment
    let user: User
    /// A fresh activation code (only when built with `registered: false`).
    let activationCode: String?
    /// The registered, confirmed device and one pending MFA request for it.
    let deviceID: String
    let offer: ChallengeOffer?
    let number: String?

    static func activation(code: String, name: String = "Fuzz phone") -> ActivationRequest {
        ActivationRequest(code: code, deviceName: name, appVersion: "fuzz-1", deviceKey: DeviceSignature.encode(deviceKey.publicKey),
                          approvalKey: DeviceSignature.encode(approvalKey.publicKey))
    }

    /// A user; with `registered`, a confirmed device and a pending MFA request, else an unused activation code.
    init(registered: Bool) async throws {
        t = TestEnvironment(seed: 0x7A4D_3E11)
        user = try await DirectoryService(env: t.env).addUser(userPrincipalName: "alice@contoso.com", displayName: "Alice", password: "correct horse")
        let registration = RegistrationService(env: t.env)
        let (_, code, _) = try await registration.createActivation(for: user)
        guard registered else {
            activationCode = code
            deviceID = ""
            offer = nil
            number = nil
            return
        }
        activationCode = nil
        let response = try await registration.activate(Self.activation(code: code), context: Self.context)
        deviceID = response.deviceId
        let devices = DeviceService(env: t.env)
        let challenges = ChallengeService(env: t.env)
        guard let device = await t.storage.device(id: deviceID), let confirm = try await devices.pending(for: device).first,
              let confirmNumber = await t.storage.challenge(id: confirm.id)?.number
        else { throw Finding("fixture: the registration request is missing") }
        _ = try await challenges.answer(challengeID: confirm.id, Self.answer(confirm, deviceID: deviceID, .approve, number: confirmNumber))
        let challenge = try await challenges.issue(to: user, kind: .mfa, context: Self.context)
        guard let active = await t.storage.device(id: deviceID), let mfa = try await devices.pending(for: active).first(where: { $0.id == challenge.id })
        else { throw Finding("fixture: the MFA request is not pending") }
        offer = mfa
        number = challenge.number
    }

    /// A correctly signed answer: approvals with the approval key, denials and reports with the device key.
    static func answer(_ offer: ChallengeOffer, deviceID: String, _ decision: AnswerDecision, number: String?) throws -> AnswerRequest {
        let key = decision == .approve ? approvalKey : deviceKey
        let bytes = SignedBytes.answer(challengeID: offer.id, nonce: offer.nonce, deviceID: deviceID, decision: decision, number: number) ?? []
        return AnswerRequest(deviceId: deviceID, decision: decision, number: number, signature: try DeviceSignature.sign(bytes, with: key))
    }

    func device() async throws -> Device {
        guard let device = await t.storage.device(id: deviceID) else { throw Finding("fixture: the device is gone") }
        return device
    }
}

/// Runs a service call: a `TandemError` is a clean refusal (a 4xx); any other error would be a 500.
func refusalOrSuccess(_ body: () async throws -> Void) async throws -> Bool {
    do {
        try await body()
        return true
    } catch let error as TandemError {
        _ = error
        return false
    } catch let finding as Finding {
        throw finding
    } catch {
        throw Finding("threw \(String(reflecting: type(of: error))) (the server would answer 500): \(error)")
    }
}
