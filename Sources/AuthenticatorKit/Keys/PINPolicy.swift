/// The rules for the app's PIN.
public enum PINPolicy {
    /// Allowed lengths, in digits.
    public static let lengths = 4...16
    /// Consecutive wrong PINs after which PIN-protected keys are locked for good.
    public static let maxWrongAttempts = 10

    /// Whether `pin` is 4 to 16 ASCII digits.
    public static func isValid(_ pin: String) -> Bool {
        lengths.contains(pin.utf8.count) && pin.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Throws `.invalidPIN` unless `pin` follows the rules.
    public static func validate(_ pin: String?) throws -> String {
        guard let pin, isValid(pin) else {
            throw AuthenticatorError(.invalidPIN, "the PIN must be \(lengths.lowerBound) to \(lengths.upperBound) digits")
        }
        return pin
    }
}
