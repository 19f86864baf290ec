import Foundation

extension TOTP {
    /// The outcome of checking a typed code.
    public enum Verdict: Sendable, Equatable {
        /// The code is right for `step`, `drift` steps from the server's (−window...window). The
        /// caller must record `step` as used (compare-and-set) before it accepts the sign-in.
        case accepted(step: UInt64, drift: Int)
        /// The code is right, but for a step at or before the last one used: a replay.
        case reused(step: UInt64)
        /// Malformed or wrong for every step in the window.
        case rejected
    }

    /// Checks `typed` against the steps around `date` (±`window`, default 1 = ±30 s), in constant
    /// time: every candidate is computed and compared, whatever matches.
    ///
    /// - Parameters:
    ///   - lastUsedStep: the last step already accepted for this secret; a code of that step or an
    ///     earlier one is `reused`, so one code never signs in twice (RFC 6238 §5.2).
    /// - Returns: the verdict; `.accepted` names the matched step.
    public func verify(_ typed: String, at date: Date, window: Int = 1, lastUsedStep: UInt64? = nil) -> Verdict {
        precondition((0...10).contains(window), "a window of 0 to 10 steps")
        let wellFormed = typed.utf8.count == digits
            && typed.utf8.allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }
        let now = step(at: date)
        var fresh: (step: UInt64, drift: Int)?
        var replayed: UInt64?
        for drift in -window...window {
            let (candidate, overflow) = drift < 0
                ? now.subtractingReportingOverflow(UInt64(-drift))
                : now.addingReportingOverflow(UInt64(drift))
            let equal = ConstantTime.equals(code(step: overflow ? 0 : candidate), typed)
            guard equal, wellFormed, !overflow else { continue }
            if let lastUsedStep, candidate <= lastUsedStep {
                replayed = replayed ?? candidate
            } else if fresh == nil {
                fresh = (candidate, drift)
            }
        }
        if let fresh { return .accepted(step: fresh.step, drift: fresh.drift) }
        if let replayed { return .reused(step: replayed) }
        return .rejected
    }
}
