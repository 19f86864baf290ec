/// The one error type of TandemQR. Equality is on the code only.
public struct QRError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        /// The data does not fit in the largest allowed version at the requested level.
        case dataTooLong
        /// A version outside 1...10.
        case invalidVersion
        /// A mask outside 0...7.
        case invalidMask
    }

    /// What went wrong.
    public var code: Code
    /// One line for logs; never contains the encoded data.
    public var reason: String

    /// Creates an error.
    public init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    public static func == (lhs: QRError, rhs: QRError) -> Bool { lhs.code == rhs.code }

    public var description: String { "\(code.rawValue): \(reason)" }
}
