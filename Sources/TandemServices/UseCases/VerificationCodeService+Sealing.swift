import Foundation
import TandemCore

/// Verification-code secrets at rest (issue 12, decision 0027): sealed with the server's secret
/// key (AES-GCM, as the OIDC signing keys and RADIUS secrets), bound to the device by the seal's
/// context, and marked `sealed1.` so a secret stored in the clear before this version is told
/// apart (base32 never contains a dot). `resealPlaintextSecrets` seals those at start-up; a SQL
/// migration cannot, as migrations do not hold the key.
extension VerificationCodeService {
    static let sealedPrefix = "sealed1."

    static func sealContext(_ deviceID: String) -> String { "totp-secret|" + deviceID }
    /// A third-party app's secret is bound to its method id under its own label (decision 0031),
    /// so a sealed device secret never opens as a method's or the other way round.
    static func sealContext(_ credential: TOTPCredential) -> String {
        credential.kind == .device ? sealContext(credential.deviceID) : "software-oath-secret|" + credential.deviceID
    }

    /// The text to store for `secret` (base32): sealed when the server has a sealer.
    func sealed(_ secret: String, deviceID: String) throws -> String {
        try sealed(secret, context: Self.sealContext(deviceID))
    }

    /// The text to store for `secret` under a seal context.
    func sealed(_ secret: String, context: String) throws -> String {
        guard let sealer = env.sealer else { return secret }
        return Self.sealedPrefix + (try sealer.seal(Array(secret.utf8), context: context))
    }

    /// The secret's bytes, `nil` when it cannot be opened (another secret key, damaged text): that
    /// device's codes then fail, never anything else's. Never logged.
    func opened(_ credential: TOTPCredential) -> [UInt8]? {
        guard credential.secret.hasPrefix(Self.sealedPrefix) else { return Base32.decode(credential.secret) }
        guard let sealer = env.sealer,
              let plain = sealer.open(String(credential.secret.dropFirst(Self.sealedPrefix.count)), context: Self.sealContext(credential)),
              let text = String(bytes: plain, encoding: .utf8)
        else {
            logger.warning("a verification-code secret cannot be opened with this secret key", metadata: ["tandem.device": "\(credential.deviceID)"])
            return nil
        }
        return Base32.decode(text)
    }

    /// Seals every secret still stored in the clear (each with a compare-and-set that keeps its
    /// last used step); returns how many it sealed. Does nothing without a sealer.
    @discardableResult
    public func resealPlaintextSecrets() async throws -> Int {
        guard env.sealer != nil else { return 0 }
        var count = 0
        for (deviceID, stored) in try await env.storage.allTOTPSecrets() where !stored.hasPrefix(Self.sealedPrefix) {
            if try await env.storage.replaceTOTPSecret(deviceID: deviceID, old: stored, new: try sealed(stored, deviceID: deviceID)) { count += 1 }
        }
        if count > 0 { logger.info("verification-code secrets sealed at rest", metadata: ["tandem.count": "\(count)"]) }
        return count
    }
}
