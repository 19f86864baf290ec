import Crypto
import Foundation
import TandemCore
import TandemServices
import TandemStore

/// One benchmark user's phone: real P-256 keys, registered directly in the store.
struct BenchDevice: Sendable {
    let index: Int
    let userPrincipalName: String
    let deviceID: String
    let deviceKey: P256.Signing.PrivateKey
    let phoneSignInKey: P256.Signing.PrivateKey

    init(index: Int) {
        self.index = index
        userPrincipalName = "user\(index)@bench.tandem.test"
        deviceID = "bench-device-\(index)"
        deviceKey = P256.Signing.PrivateKey()
        phoneSignInKey = P256.Signing.PrivateKey()
    }

    /// The signed approval of a passwordless request, as the phone sends it after the PIN.
    func approval(_ offer: ChallengeOffer, number: String) throws -> AnswerRequest {
        let bytes = SignedBytes.answer(challengeID: offer.id, nonce: offer.nonce, deviceID: deviceID, decision: .approve, number: number) ?? []
        return AnswerRequest(deviceId: deviceID, decision: .approve, number: number, signature: try DeviceSignature.sign(bytes, with: phoneSignInKey))
    }

    /// The push channel's `auth` message for the server's nonce.
    func channelAuth(nonce: String) throws -> ChannelMessage {
        let bytes = SignedBytes.connect(deviceID: deviceID, nonce: nonce) ?? []
        return ChannelMessage(type: .auth, deviceId: deviceID, signature: try DeviceSignature.sign(bytes, with: deviceKey))
    }
}

/// Creates the users and their active devices with phone sign-in on, straight in the store
/// (the server is not running yet), through the same `SQLStore` the server uses. With
/// `passwordOf`, every user gets the password hash of that (already stored) user (`--radius`).
enum Seeder {
    static func seed(database: String, count: Int, passwordOf template: String? = nil, progress: (Int) -> Void) async throws -> [BenchDevice] {
        let store = PostgresURL.isPostgres(database)
            ? try await SQLStore.openPostgres(url: database)
            : try await SQLStore.openSQLite(path: database)
        do {
            let created = Date()
            var passwordHash: String? = nil
            if let template {
                guard let hash = try await store.user(principalName: template)?.passwordHash else { throw BenchError("no password for \(template)") }
                passwordHash = hash
            }
            var devices: [BenchDevice] = []
            devices.reserveCapacity(count)
            for index in 0..<count {
                let device = BenchDevice(index: index)
                let user = User(id: "bench-user-\(index)", userPrincipalName: device.userPrincipalName,
                                displayName: "Bench User \(index)", passwordHash: passwordHash, createdAt: created)
                try await store.insertUser(user)
                var stored = Device(id: device.deviceID, userID: user.id, name: "Bench phone", appVersion: "bench-1",
                                    deviceKey: DeviceSignature.encode(device.deviceKey.publicKey),
                                    approvalKey: DeviceSignature.encode(device.phoneSignInKey.publicKey),
                                    state: .active, createdAt: created)
                stored.phoneSignInKey = DeviceSignature.encode(device.phoneSignInKey.publicKey)
                try await store.insertDevice(stored)
                devices.append(device)
                if index % 500 == 499 { progress(index + 1) }
            }
            try await store.close()
            return devices
        } catch {
            try? await store.close()
            throw error
        }
    }
}
