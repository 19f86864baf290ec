/// The number shown in the browser and typed on the phone.
public enum NumberMatch {
    /// The default number of digits (Entra shows two).
    public static let defaultDigits = 2
    /// The allowed range of digits; 6 or more is the NIST SP 800-63B-4 mode.
    public static let allowedDigits = 2...8

    /// Draws a number of exactly `digits` digits (no leading zero), uniformly, never equal to `previous`.
    public static func draw(digits: Int, previous: String?, random: some RandomSource) -> String {
        precondition(allowedDigits.contains(digits))
        var low: UInt64 = 1
        for _ in 1..<digits { low *= 10 }
        let span = low * 9
        while true {
            let number = String(low + random.uniform(below: span))
            if number != previous { return number }
        }
    }

    /// Whether `typed` is a well-formed answer: 1 to 8 ASCII digits.
    public static func isWellFormed(_ typed: String) -> Bool {
        (1...8).contains(typed.utf8.count) && typed.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
    }

    /// Compares the typed number with the expected one in constant time.
    public static func matches(typed: String, expected: String) -> Bool {
        ConstantTime.equals(typed, expected)
    }
}
