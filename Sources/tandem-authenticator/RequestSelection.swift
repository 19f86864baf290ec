import ArgumentParser
import AuthenticatorKit
import TandemCore

/// `--account` and `--request`: which pending request an answer is for.
struct RequestSelection: ParsableArguments {
    @Option(help: ArgumentHelp("The account: user principal name or device id (needed with several accounts).", valueName: "account"))
    var account: String?

    @Option(help: ArgumentHelp("The request id (needed when several requests are pending).", valueName: "id"))
    var request: String?

    /// The account and the single pending request (or the one `--request` names).
    func resolve(with authenticator: Authenticator) async throws -> (Account, ChallengeOffer) {
        let account = try authenticator.account(matching: account)
        let pending = try await authenticator.pending(account: account)
        if let request {
            guard let offer = pending.first(where: { $0.id == request }) else {
                throw AuthenticatorError(.invalidInput, "no pending request \(request) for \(account.userPrincipalName)")
            }
            return (account, offer)
        }
        switch pending.count {
        case 0:
            throw AuthenticatorError(.invalidInput, "no pending request for \(account.userPrincipalName)")
        case 1:
            return (account, pending[0])
        default:
            let ids = pending.map(\.id).joined(separator: ", ")
            throw AuthenticatorError(.invalidInput, "\(pending.count) pending requests (\(ids)): say which with --request <id>")
        }
    }
}
