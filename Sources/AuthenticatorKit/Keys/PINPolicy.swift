/// The rules for the app's PIN.
///
/// A **new** PIN (the first PIN-protected key of a store) must have 6 to 16 digits and must not
/// be one digit repeated or a straight run (`123456`, `987654`): the PIN is what stands between a
/// copy of the key files and the approval key, and every digit multiplies the offline work by 10
/// (`docs/decisions/0011-device-key-changes.md`). A PIN chosen under the old rule (4 or 5 digits)
/// keeps working for the keys it already protects.
public enum PINPolicy {
    /// Lengths accepted when unlocking, in digits (4 and 5 for PINs chosen before the rule changed).
    public static let lengths = 4...16
    /// Lengths accepted for a new PIN, in digits.
    public static let newPINLengths = 6...16
    /// Consecutive wrong PINs after which PIN-protected keys are locked for good.
    public static let maxWrongAttempts = 10

    /// Whether `pin` is 4 to 16 ASCII digits.
    public static func isValid(_ pin: String) -> Bool {
        lengths.contains(pin.utf8.count) && pin.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Whether `pin` may be chosen as a new PIN: 6 to 16 ASCII digits, not one digit repeated,
    /// not a straight ascending or descending run.
    public static func isValidNew(_ pin: String) -> Bool {
        guard isValid(pin), newPINLengths.contains(pin.utf8.count) else { return false }
        let digits = pin.utf8.map { Int($0) - Int(UInt8(ascii: "0")) }
        let steps = Set(zip(digits, digits.dropFirst()).map { ($1 - $0 + 10) % 10 })
        return !(steps == [0] || steps == [1] || steps == [9])
    }

    /// Throws `.invalidPIN` unless `pin` follows the rules for an existing PIN.
    public static func validate(_ pin: String?) throws -> String {
        guard let pin, isValid(pin) else {
            throw AuthenticatorError(.invalidPIN, "the PIN must be \(lengths.lowerBound) to \(lengths.upperBound) digits")
        }
        return pin
    }

    /// Throws `.invalidPIN` unless `pin` may be chosen as a new PIN.
    public static func validateNew(_ pin: String?) throws -> String {
        guard let pin, isValidNew(pin) else {
            throw AuthenticatorError(.invalidPIN,
                "a new PIN must be \(newPINLengths.lowerBound) to \(newPINLengths.upperBound) digits, not one digit repeated or a run like 123456")
        }
        return pin
    }
}
