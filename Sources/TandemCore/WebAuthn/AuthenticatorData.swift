/// The authenticator data of a WebAuthn response (WebAuthn Level 3 §6.1): RP ID hash, flags,
/// signature counter and, at registration, the attested credential data.
public struct AuthenticatorData: Sendable, Equatable {
    /// The flags byte.
    public struct Flags: OptionSet, Sendable, Equatable {
        public let rawValue: UInt8
        public init(rawValue: UInt8) { self.rawValue = rawValue }
        /// UP: the user was present (touched, clicked).
        public static let userPresent = Flags(rawValue: 0x01)
        /// UV: the user was verified (PIN, biometric).
        public static let userVerified = Flags(rawValue: 0x04)
        /// BE: the credential may be backed up (a synced passkey).
        public static let backupEligible = Flags(rawValue: 0x08)
        /// BS: the credential is backed up now.
        public static let backupState = Flags(rawValue: 0x10)
        /// AT: attested credential data follows.
        public static let attestedCredentialData = Flags(rawValue: 0x40)
        /// ED: extension data follows.
        public static let extensionData = Flags(rawValue: 0x80)
    }

    /// The credential created at registration.
    public struct AttestedCredential: Sendable, Equatable {
        /// The authenticator model's AAGUID (16 bytes; all zero for `none` attestation on many authenticators).
        public let aaguid: [UInt8]
        public let credentialID: [UInt8]
        public let publicKey: COSEKey
    }

    /// The bytes as received (what signatures cover).
    public let raw: [UInt8]
    public let rpIDHash: [UInt8]
    public let flags: Flags
    public let signCount: UInt32
    public let attestedCredential: AttestedCredential?

    /// The longest credential id WebAuthn allows.
    public static let maxCredentialIDLength = 1023

    /// Parses authenticator data; throws a 400-class error for anything malformed, never traps.
    public init(_ bytes: [UInt8]) throws(TandemError) {
        guard bytes.count >= 37 else { throw Self.malformed("shorter than 37 bytes") }
        raw = bytes
        rpIDHash = Array(bytes[0..<32])
        flags = Flags(rawValue: bytes[32])
        signCount = bytes[33..<37].reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        var rest = bytes[37...]
        if flags.contains(.attestedCredentialData) {
            guard rest.count >= 18 else { throw Self.malformed("attested credential data is truncated") }
            let start = rest.startIndex
            let aaguid = Array(rest[start..<start + 16])
            let idLength = Int(rest[start + 16]) << 8 | Int(rest[start + 17])
            guard idLength > 0, idLength <= Self.maxCredentialIDLength, rest.count >= 18 + idLength else {
                throw Self.malformed("the credential id length is out of range")
            }
            let credentialID = Array(rest[(start + 18)..<(start + 18 + idLength)])
            rest = rest[(start + 18 + idLength)...]
            let keyItem: CBOR, keyLength: Int
            do { (keyItem, keyLength) = try CBOR.decodePrefix(rest) } catch { throw WebAuthnRejection.malformedPublicKey.error }
            let keyBytes = Array(rest.prefix(keyLength))
            rest = rest.dropFirst(keyLength)
            attestedCredential = AttestedCredential(aaguid: aaguid, credentialID: credentialID,
                                                    publicKey: try COSEKey(cbor: keyItem, encoded: keyBytes))
        } else {
            attestedCredential = nil
        }
        if flags.contains(.extensionData) {
            let extensions: CBOR, length: Int
            do { (extensions, length) = try CBOR.decodePrefix(rest) } catch { throw Self.malformed("extensions are not CBOR") }
            guard case .map = extensions else { throw Self.malformed("extensions are not a map") }
            rest = rest.dropFirst(length)
        }
        guard rest.isEmpty else { throw Self.malformed("trailing bytes") }
        if flags.contains(.backupState) && !flags.contains(.backupEligible) {
            throw Self.malformed("backup state set on a credential that is not backup eligible")
        }
    }

    /// The reason is for reading here; the caller sees `malformedAuthenticatorData`.
    static func malformed(_ reason: String) -> TandemError { WebAuthnRejection.malformedAuthenticatorData.error }
}
