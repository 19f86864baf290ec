import Foundation
import TandemCore
import TandemServer
import TandemServices

/// The admin API's OData `$filter` (decision 0026), through `AdminOperations.users(_:matching:advanced:)`.
enum GraphTargets {
    static var all: [any FuzzTarget] { [filter] }

    static let directory: [User] = [
        User(id: "0a1b", userPrincipalName: "alice@contoso.com", displayName: "Alice", passwordHash: nil, createdAt: Date(timeIntervalSince1970: 1_790_000_000)),
        User(id: "1c2d", userPrincipalName: "bob@contoso.com", displayName: "Bob O'Neil", passwordHash: nil, accountEnabled: false,
             createdAt: Date(timeIntervalSince1970: 1_790_000_100)),
        User(id: "2e3f", userPrincipalName: "carol@fabrikam.com", displayName: "Ça va", passwordHash: nil, createdAt: Date(timeIntervalSince1970: 1_790_000_200)),
    ]

    static let filter = ClosureTarget(
        "graph-filter", "ODataFilter.parse + the user property table: Graph $filter on /v1.0/users",
        dictionary: [" eq ", " ne ", " gt ", " ge ", " lt ", " le ", " in ", " and ", " or ", "not ", "NOT ", "(", ")", ",", "'", "''",
                     "startsWith(", "endswith(", "contains(", "id", "userPrincipalName", "displayName", "mail", "accountEnabled",
                     "createdDateTime", "status/errorCode", "true", "false", "null", "0", "-1", "2026-09-21T14:13:20Z", "'alice@contoso.com'", "any(x:x eq 1)"],
        maxLength: 2048,
        seeds: ["userPrincipalName eq 'alice@contoso.com'", "startswith(displayName,'B') or accountEnabled eq false",
                "id in ('0a1b', '2e3f') and (mail eq null or not (displayName eq 'Bob O''Neil'))",
                "endsWith(userPrincipalName,'@fabrikam.com')", "createdDateTime ge 2026-09-21T14:13:20Z", "accountEnabled ne true"]
    ) { input in
        let text = input.text
        func run(_ filter: String, advanced: Bool) throws -> [String]? {
            do {
                return try AdminOperations.users(directory, matching: filter, advanced: advanced).map(\.id)
            } catch let error as TandemError {
                try check(error.code == .badRequest, "\(filter.debugDescription) was refused with \(error.code), not badRequest")
                try check(!error.message.isEmpty, "\(filter.debugDescription) was refused without a message")
                return nil
            } catch {
                throw Finding("\(filter.debugDescription) threw \(type(of: error)), which the server would answer with a 500")
            }
        }
        guard let selected = try run(text, advanced: true) else { return false }
        try check(Set(selected).count == selected.count, "\(text.debugDescription) selected a user twice")
        // Without the advanced-query parameters the filter is either the same or refused.
        if let plain = try run(text, advanced: false) { try check(plain == selected, "\(text.debugDescription) differs without advanced query") }
        // Algebra the evaluator must obey: not is the complement, and/or of itself is itself.
        let all = directory.map(\.id)
        if let negated = try run("not (\(text))", advanced: true) {
            try check(Set(negated) == Set(all).subtracting(selected), "not (\(text.debugDescription)) is not the complement")
        }
        if let twice = try run("(\(text)) and (\(text))", advanced: true) { try check(twice == selected, "(x) and (x) differs for \(text.debugDescription)") }
        if let either = try run("(\(text)) or (\(text))", advanced: true) { try check(either == selected, "(x) or (x) differs for \(text.debugDescription)") }
        return true
    }
}
