/// The module grid while a symbol is drawn: function patterns, codewords, format and version
/// information (ISO/IEC 18004 §7.7–§7.10). `x` is the column, `y` the row, dark is `true`.
struct QRMatrix: Sendable {
    let size: Int
    private(set) var modules: [Bool]
    /// Modules of finder, separator, timing and alignment patterns and of format and version
    /// information: masks and codewords leave them alone.
    private(set) var isFunction: [Bool]

    /// A grid for `version` with every function pattern drawn and the format area reserved.
    init(version: QRVersion) {
        size = version.size
        modules = [Bool](repeating: false, count: size * size)
        isFunction = [Bool](repeating: false, count: size * size)
        for i in 0..<size {
            setFunction(x: 6, y: i, i % 2 == 0)
            setFunction(x: i, y: 6, i % 2 == 0)
        }
        drawFinder(x: 3, y: 3)
        drawFinder(x: size - 4, y: 3)
        drawFinder(x: 3, y: size - 4)
        let centres = version.alignmentCentres
        for (i, cy) in centres.enumerated() {
            for (j, cx) in centres.enumerated() {
                let last = centres.count - 1
                if (i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0) { continue }
                drawAlignment(x: cx, y: cy)
            }
        }
        drawFormat(level: .medium, mask: 0)  // reserves the area; redrawn with the real values
        if version.number >= 7 { drawVersion(version.number) }
    }

    subscript(x: Int, y: Int) -> Bool {
        modules[y * size + x]
    }

    // MARK: Function patterns

    private mutating func setFunction(x: Int, y: Int, _ dark: Bool) {
        modules[y * size + x] = dark
        isFunction[y * size + x] = true
    }

    /// A finder pattern centred on (x, y) with its light separator.
    private mutating func drawFinder(x: Int, y: Int) {
        for dy in -4...4 {
            for dx in -4...4 {
                let xx = x + dx
                let yy = y + dy
                guard (0..<size).contains(xx), (0..<size).contains(yy) else { continue }
                let distance = max(abs(dx), abs(dy))
                setFunction(x: xx, y: yy, distance != 2 && distance != 4)
            }
        }
    }

    private mutating func drawAlignment(x: Int, y: Int) {
        for dy in -2...2 {
            for dx in -2...2 {
                setFunction(x: x + dx, y: y + dy, max(abs(dx), abs(dy)) != 1)
            }
        }
    }

    /// The 15 format bits: level and mask, BCH(15,5) with generator 0x537, masked with 0x5412.
    static func formatBits(level: QRErrorCorrection, mask: Int) -> Int {
        let data = level.formatBits << 3 | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        return (data << 10 | remainder) ^ 0x5412
    }

    /// The 18 version bits: version and BCH(18,6) with generator 0x1F25 (versions 7 and up).
    static func versionBits(_ version: Int) -> Int {
        var remainder = version
        for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
        return version << 12 | remainder
    }

    /// Both copies of the format information, and the dark module.
    mutating func drawFormat(level: QRErrorCorrection, mask: Int) {
        let bits = Self.formatBits(level: level, mask: mask)
        func bit(_ i: Int) -> Bool { (bits >> i) & 1 == 1 }
        for i in 0...5 { setFunction(x: 8, y: i, bit(i)) }
        setFunction(x: 8, y: 7, bit(6))
        setFunction(x: 8, y: 8, bit(7))
        setFunction(x: 7, y: 8, bit(8))
        for i in 9..<15 { setFunction(x: 14 - i, y: 8, bit(i)) }
        for i in 0..<8 { setFunction(x: size - 1 - i, y: 8, bit(i)) }
        for i in 8..<15 { setFunction(x: 8, y: size - 15 + i, bit(i)) }
        setFunction(x: 8, y: size - 8, true)
    }

    private mutating func drawVersion(_ version: Int) {
        let bits = Self.versionBits(version)
        for i in 0..<18 {
            let dark = (bits >> i) & 1 == 1
            let a = size - 11 + i % 3
            let b = i / 3
            setFunction(x: a, y: b, dark)
            setFunction(x: b, y: a, dark)
        }
    }

    // MARK: Data

    /// Places the codewords in the two-column zigzag from the bottom right, skipping function
    /// modules and the vertical timing column; modules left over (remainder bits) stay light.
    mutating func place(_ codewords: [UInt8]) {
        var index = 0
        let totalBits = codewords.count * 8
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            let upward = (right + 1) & 2 == 0
            for vertical in 0..<size {
                let y = upward ? size - 1 - vertical : vertical
                for j in 0..<2 {
                    let x = right - j
                    guard !isFunction[y * size + x], index < totalBits else { continue }
                    modules[y * size + x] = (codewords[index >> 3] >> (7 - UInt8(index & 7))) & 1 == 1
                    index += 1
                }
            }
            right -= 2
        }
        precondition(index == totalBits, "the codewords fill the symbol")
    }

    /// Flips every data module where mask pattern `mask` (0–7) is true. Applying it twice undoes it.
    mutating func apply(mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !isFunction[y * size + x] {
                if QRMask.isSet(mask, x: x, y: y) { modules[y * size + x].toggle() }
            }
        }
    }
}
