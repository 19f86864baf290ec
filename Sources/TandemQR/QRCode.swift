/// A QR code symbol (ISO/IEC 18004 model 2) holding bytes in byte mode, versions 1 to 10.
///
/// ```swift
/// let code = try QRCode(encoding: "https://id.example.com/device/v1/activate?code=…")
/// let svg = code.svg(label: "Activation QR code")
/// ```
///
/// The smallest version that holds the data at the requested error correction level is chosen,
/// and of the eight masks the one with the lowest standard penalty score. Pure Swift, no I/O.
public struct QRCode: Sendable, Equatable {
    /// The version, 1 (21×21 modules) to 10 (57×57).
    public let version: Int
    /// The error correction level.
    public let errorCorrection: QRErrorCorrection
    /// The mask pattern used, 0 to 7.
    public let mask: Int
    /// Modules per side: `version * 4 + 17` (without the quiet zone).
    public let size: Int
    /// Row-major, dark is `true`.
    let modules: [Bool]

    /// The largest version this encoder writes.
    public static let maximumVersion = QRVersion.supported.upperBound

    /// Encodes `text`'s UTF-8 bytes.
    public init(encoding text: String, errorCorrection: QRErrorCorrection = .medium) throws {
        try self.init(encoding: Array(text.utf8), errorCorrection: errorCorrection)
    }

    /// Encodes `bytes` in byte mode.
    ///
    /// - Parameters:
    ///   - minimumVersion: the smallest version to use (1 by default); a larger one is taken
    ///     when the data needs it.
    ///   - mask: a fixed mask pattern (0–7) instead of the one with the lowest penalty.
    /// - Throws: `QRError` `.dataTooLong` when the data does not fit in version 10 at this level,
    ///   `.invalidVersion`, `.invalidMask`.
    public init(encoding bytes: [UInt8], errorCorrection: QRErrorCorrection = .medium, minimumVersion: Int = 1, mask: Int? = nil) throws {
        guard QRVersion.supported.contains(minimumVersion) else {
            throw QRError(.invalidVersion, "versions \(QRVersion.supported.lowerBound)...\(QRVersion.supported.upperBound) are supported")
        }
        if let mask, !(0...7).contains(mask) { throw QRError(.invalidMask, "masks are 0...7") }
        guard let version = (minimumVersion...QRVersion.supported.upperBound).lazy.map(QRVersion.init(number:))
            .first(where: { $0.byteCapacity(errorCorrection) >= bytes.count })
        else {
            let most = QRVersion(number: QRVersion.supported.upperBound).byteCapacity(errorCorrection)
            throw QRError(.dataTooLong, "\(bytes.count) bytes; at most \(most) fit at level \(errorCorrection.rawValue)")
        }
        let data = QRCodewords.data(bytes, version: version, level: errorCorrection)
        var matrix = QRMatrix(version: version)
        matrix.place(QRCodewords.interleaved(data, version: version, level: errorCorrection))

        var chosen = mask ?? 0
        if mask == nil {
            var lowest = Int.max
            for candidate in 0...7 {
                var trial = matrix
                trial.apply(mask: candidate)
                trial.drawFormat(level: errorCorrection, mask: candidate)
                let score = QRMask.penalty(size: trial.size, modules: trial.modules)
                if score < lowest {
                    lowest = score
                    chosen = candidate
                }
            }
        }
        matrix.apply(mask: chosen)
        matrix.drawFormat(level: errorCorrection, mask: chosen)

        self.version = version.number
        self.errorCorrection = errorCorrection
        self.mask = chosen
        self.size = matrix.size
        self.modules = matrix.modules
    }

    /// Whether the module in `row`, `column` (0-based from the top left) is dark. Outside the
    /// symbol (the quiet zone) everything is light.
    public func isDark(row: Int, column: Int) -> Bool {
        guard (0..<size).contains(row), (0..<size).contains(column) else { return false }
        return modules[row * size + column]
    }

    /// The most bytes a symbol of `version` holds at `level` in byte mode.
    public static func byteCapacity(version: Int, errorCorrection level: QRErrorCorrection) -> Int? {
        guard QRVersion.supported.contains(version) else { return nil }
        return QRVersion(number: version).byteCapacity(level)
    }
}
