import TandemCore

extension AnswerResponse {
    /// The server's verdict as printed: `approved`, `denied (wrongNumber)`, `reported`.
    var verdict: String {
        guard let reason else { return state.rawValue }
        return "\(state.rawValue) (\(reason.rawValue))"
    }

    /// Whether the verdict is what the user asked for.
    func matches(_ decision: AnswerDecision) -> Bool {
        switch decision {
        case .approve: state == .approved
        case .deny: state == .denied && reason != .wrongNumber
        case .report: state == .reported
        }
    }
}
