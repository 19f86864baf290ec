/// The eight data mask patterns and the penalty score that picks one (ISO/IEC 18004 §7.8).
enum QRMask {
    /// Whether mask `mask` flips the module in column `x`, row `y`.
    static func isSet(_ mask: Int, x: Int, y: Int) -> Bool {
        switch mask {
        case 0: (x + y) % 2 == 0
        case 1: y % 2 == 0
        case 2: x % 3 == 0
        case 3: (x + y) % 3 == 0
        case 4: (x / 3 + y / 2) % 2 == 0
        case 5: x * y % 2 + x * y % 3 == 0
        case 6: (x * y % 2 + x * y % 3) % 2 == 0
        case 7: ((x + y) % 2 + x * y % 3) % 2 == 0
        default: preconditionFailure("mask \(mask)")
        }
    }

    static let runWeight = 3, blockWeight = 3, finderWeight = 40, balanceWeight = 10

    /// The penalty of a finished symbol; the mask with the lowest one is used.
    ///
    /// 1. each run of 5 or more same-coloured modules in a row or column: 3 + (length − 5);
    /// 2. each 2×2 block of one colour: 3;
    /// 3. each 1:1:3:1:1 finder-like pattern with 4 light modules on either side (outside the
    ///    symbol counts as light): 40;
    /// 4. 10 for every whole 5 % the share of dark modules is away from 50 %.
    static func penalty(size: Int, modules: [Bool]) -> Int {
        func dark(_ x: Int, _ y: Int) -> Bool { modules[y * size + x] }
        var score = 0
        for line in 0..<size {
            let row = (0..<size).map { dark($0, line) }
            let column = (0..<size).map { dark(line, $0) }
            score += runPenalty(row) + finderPenalty(row)
            score += runPenalty(column) + finderPenalty(column)
        }
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let colour = dark(x, y)
                if colour == dark(x + 1, y), colour == dark(x, y + 1), colour == dark(x + 1, y + 1) {
                    score += blockWeight
                }
            }
        }
        let darkCount = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        let total = size * size
        score += abs(darkCount * 2 - total) * 10 / total * balanceWeight
        return score
    }

    static func runPenalty(_ line: [Bool]) -> Int {
        var score = 0
        var run = 1
        for index in 1...line.count {
            if index < line.count, line[index] == line[index - 1] {
                run += 1
                continue
            }
            if run >= 5 { score += runWeight + run - 5 }
            run = 1
        }
        return score
    }

    static func finderPenalty(_ line: [Bool]) -> Int {
        let pattern = [true, false, true, true, true, false, true]
        func isLight(_ range: Range<Int>) -> Bool {
            range.allSatisfy { $0 < 0 || $0 >= line.count || !line[$0] }
        }
        var score = 0
        guard line.count >= pattern.count else { return 0 }
        for start in 0...(line.count - pattern.count) where (0..<pattern.count).allSatisfy({ line[start + $0] == pattern[$0] }) {
            if isLight(start - 4..<start) || isLight(start + 7..<start + 11) { score += finderWeight }
        }
        return score
    }
}
