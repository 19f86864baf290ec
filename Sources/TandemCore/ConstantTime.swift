/// Comparisons of secrets whose running time does not depend on where the inputs differ.
public enum ConstantTime {
    /// Compares two byte sequences in time that depends only on their lengths.
    public static func equals<A: Collection, B: Collection>(_ lhs: A, _ rhs: B) -> Bool
    where A.Element == UInt8, B.Element == UInt8 {
        let left = Array(lhs)
        let right = Array(rhs)
        var difference = UInt8(truncatingIfNeeded: left.count ^ right.count)
        let length = max(left.count, right.count)
        for index in 0..<length {
            let a = index < left.count ? left[index] : 0
            let b = index < right.count ? right[index] : 0
            difference |= a ^ b
        }
        return difference == 0
    }

    /// Compares two strings' UTF-8 bytes in constant time.
    public static func equals(_ lhs: String, _ rhs: String) -> Bool {
        equals(Array(lhs.utf8), Array(rhs.utf8))
    }
}
