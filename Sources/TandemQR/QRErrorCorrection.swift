/// The error correction level of a QR code: how much of the symbol may be damaged and still read.
public enum QRErrorCorrection: String, Sendable, CaseIterable, Equatable {
    /// About 7 % of codewords can be restored.
    case low = "L"
    /// About 15 % of codewords can be restored.
    case medium = "M"
    /// About 25 % of codewords can be restored.
    case quartile = "Q"
    /// About 30 % of codewords can be restored.
    case high = "H"

    /// The two bits this level has in the format information (ISO/IEC 18004 table 12).
    var formatBits: Int {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}
