import Foundation
import HTTPTypes
import Hummingbird
import TandemCore

/// The OData system query options of one Graph request, read once in one way for every
/// collection: names case-insensitively with their `$`, values `application/x-www-form-urlencoded`
/// (`FormQuery`). An option Tandem does not know, given twice, or given without its `$` (which
/// Graph v1.0 reads only on some APIs) is refused with a 400 — never ignored, so a script that
/// filters and then acts never acts on everything.
struct GraphQuery: Sendable {
    enum Option: String, CaseIterable, Sendable {
        case filter, search, count, expand, select, top, skiptoken, orderby, skip, format, apply, compute, levels, deltatoken, index
    }

    /// The options present, by name without `$`, with their decoded values.
    let values: [Option: String]
    /// Whether the request carried `ConsistencyLevel: eventual` (Graph's advanced queries).
    let eventual: Bool

    init(_ request: Request) throws {
        var values: [Option: String] = [:]
        for pair in (request.uri.query ?? "").split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = FormQuery.decode(String(parts[0]))
            let value = parts.count > 1 ? FormQuery.decode(String(parts[1])) : ""
            let lower = name.lowercased()
            if lower.hasPrefix("$") {
                guard let option = Option(rawValue: String(lower.dropFirst())) else {
                    throw TandemError(.badRequest, "Query option '\(name)' is not supported.", wireCode: "Request_UnsupportedQuery")
                }
                guard values[option] == nil else { throw TandemError(.badRequest, "Query option '$\(option.rawValue)' was specified more than once; it must be specified at most once.") }
                values[option] = value
            } else if Option(rawValue: lower) != nil {
                throw TandemError(.badRequest, "Query option '\(name)' needs its '$' prefix: write '$\(lower)'.", wireCode: "Request_UnsupportedQuery")
            }
        }
        self.values = values
        self.eventual = request.headers[Self.consistencyLevel]?.trimmingCharacters(in: .whitespaces).lowercased() == "eventual"
    }

    static let consistencyLevel = HTTPField.Name("ConsistencyLevel")!

    subscript(_ option: Option) -> String? { values[option] }

    /// Refuses every option present but not in `allowed` (the route's own list).
    func refuse(except allowed: Set<Option>) throws {
        for option in Option.allCases where values[option] != nil && !allowed.contains(option) {
            throw TandemError(.badRequest, "Query option '$\(option.rawValue)' is not supported on this resource.", wireCode: "Request_UnsupportedQuery")
        }
    }

    /// `$count=true|false`; directory objects count only in an advanced query, as in Graph.
    func count() throws -> Bool {
        guard let text = values[.count] else { return false }
        switch text.lowercased() {
        case "true":
            guard eventual else { throw TandemError(.badRequest, "$count is not currently supported. Send the header 'ConsistencyLevel: eventual' to count.") }
            return true
        case "false": return false
        default: throw TandemError(.badRequest, "$count: '\(text)' is not true or false.")
        }
    }

    /// Whether Graph's advanced-query parameters are both present.
    var advanced: Bool { eventual && values[.count]?.lowercased() == "true" }

    /// `$filter`, parsed and checked against `schema`.
    func filter<Item>(_ schema: ODataSchema<Item>) throws -> ODataFilter? {
        guard let text = values[.filter] else { return nil }
        guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { throw TandemError(.badRequest, "Invalid filter clause: the filter is empty.") }
        let filter = try ODataFilter.parse(text)
        try schema.check(filter, advancedQuery: advanced)
        return filter
    }

    /// `$expand`: one navigation property (`members`, `memberOf`), optionally with its own
    /// `($select=…)`; anything else is refused.
    func expand(allowed: String, type: String, selectable: [String]) throws -> [String]?? {
        guard let text = values[.expand]?.trimmingCharacters(in: .whitespaces) else { return nil }
        var name = text
        var select: [String]? = nil
        if let open = text.firstIndex(of: "("), text.hasSuffix(")") {
            name = String(text[..<open]).trimmingCharacters(in: .whitespaces)
            let inner = text[text.index(after: open)..<text.index(before: text.endIndex)].trimmingCharacters(in: .whitespaces)
            guard inner.lowercased().hasPrefix("$select=") else {
                throw TandemError(.badRequest, "$expand: only $select is supported inside the parentheses.", wireCode: "Request_UnsupportedQuery")
            }
            let fields = inner.dropFirst("$select=".count).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            for field in fields where !selectable.contains(field) {
                throw TandemError(.badRequest, "Could not find a property named '\(field)' on type 'microsoft.graph.directoryObject'.")
            }
            select = fields
        }
        guard name.lowercased() == allowed.lowercased() else {
            throw TandemError(.badRequest, "Could not find a navigation property named '\(name)' on type '\(type)'; $expand supports \(allowed).",
                              wireCode: "Request_UnsupportedQuery")
        }
        return .some(select)
    }

    /// `$orderby=property [asc|desc]` on one of `allowed` (Graph's defaults: displayName and
    /// userPrincipalName of users, displayName of groups); with `$filter` or `$search` only in an
    /// advanced query, as in Graph.
    func orderBy(allowed: [String], type: String) throws -> (property: String, descending: Bool)? {
        guard let text = values[.orderby] else { return nil }
        let words = text.split(separator: " ").map(String.init)
        guard (1...2).contains(words.count), let property = allowed.first(where: { $0.lowercased() == words[0].lowercased() }) else {
            throw TandemError(.badRequest, "$orderby: '\(text)' is not supported on '\(type)'; order by \(allowed.joined(separator: " or ")), optionally asc or desc.",
                              wireCode: "Request_UnsupportedQuery")
        }
        let direction = words.count == 2 ? words[1].lowercased() : "asc"
        guard direction == "asc" || direction == "desc" else { throw TandemError(.badRequest, "$orderby: '\(words[1])' is not asc or desc.") }
        if values[.filter] != nil || values[.search] != nil, !advanced {
            throw TandemError(.badRequest, "Sorting with $orderby together with $filter or $search needs an advanced query: the header 'ConsistencyLevel: eventual' and $count=true.",
                              wireCode: "Request_UnsupportedQuery")
        }
        return (property, direction == "desc")
    }

    /// `$search="displayName:word"` (several joined by AND or OR): whole-word prefixes, case-insensitive,
    /// on the properties named in `searchable`. Needs `ConsistencyLevel: eventual`, as in Graph.
    func search(searchable: [String]) throws -> GraphSearch? {
        guard let text = values[.search] else { return nil }
        guard eventual else {
            throw TandemError(.badRequest, "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
                              wireCode: "Request_UnsupportedQuery")
        }
        return try GraphSearch(text, searchable: searchable)
    }
}

/// A parsed `$search`: `"property:term"` clauses joined by one of AND / OR.
struct GraphSearch: Sendable {
    let clauses: [(property: String, term: String)]
    let any: Bool

    init(_ text: String, searchable: [String]) throws {
        var parts: [String] = []
        var any = false
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        while !rest.isEmpty {
            guard rest.first == "\"", let end = rest.dropFirst().firstIndex(of: "\"") else {
                throw TandemError(.badRequest, "Invalid $search: each clause is \"property:text\" in double quotes.")
            }
            parts.append(String(rest[rest.index(after: rest.startIndex)..<end]))
            rest = rest[rest.index(after: end)...].drop { $0 == " " }
            if rest.isEmpty { break }
            let word = rest.prefix { $0 != " " }
            switch word.uppercased() {
            case "OR": any = true
            case "AND": guard !any || parts.count == 1 else { throw TandemError(.badRequest, "Invalid $search: use either AND or OR.") }
            default: throw TandemError(.badRequest, "Invalid $search: '\(word)' is not AND or OR.")
            }
            rest = rest.dropFirst(word.count).drop { $0 == " " }
            guard !rest.isEmpty else { throw TandemError(.badRequest, "Invalid $search: a clause is expected after \(word).") }
        }
        guard !parts.isEmpty else { throw TandemError(.badRequest, "Invalid $search: the search is empty.") }
        clauses = try parts.map { part in
            guard let colon = part.firstIndex(of: ":") else {
                throw TandemError(.badRequest, "Invalid $search: '\(part)' needs a property, as in \"displayName:\(part)\".")
            }
            let property = String(part[..<colon])
            guard let known = searchable.first(where: { $0.lowercased() == property.lowercased() }) else {
                throw TandemError(.badRequest, "Invalid $search: '\(property)' cannot be searched; use \(searchable.joined(separator: ", ")).",
                                  wireCode: "Request_UnsupportedQuery")
            }
            let term = part[part.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard !term.isEmpty else { throw TandemError(.badRequest, "Invalid $search: the text after '\(property):' is empty.") }
            return (known, term.lowercased())
        }
        self.any = any
    }

    /// Whether `value(property)` has a word (split at spaces and punctuation) starting with each
    /// term (or any term, with OR): Graph's tokenized search.
    func matches(_ value: (String) -> String?) -> Bool {
        let hit = { (clause: (property: String, term: String)) -> Bool in
            guard let text = value(clause.property)?.lowercased() else { return false }
            if text.hasPrefix(clause.term) { return true }
            let words = text.split { !$0.isLetter && !$0.isNumber }
            return words.contains { $0.hasPrefix(clause.term) }
        }
        return any ? clauses.contains(where: hit) : clauses.allSatisfy(hit)
    }
}

/// Refuses, on every `/v1.0/` route, the query options that route does not read (the table
/// below is the one list of which route takes which option).
struct GraphQueryOptionsMiddleware<Context: RequestContext>: RouterMiddleware {
    static var accepted: [String: Set<GraphQuery.Option>] {
        let collection: Set<GraphQuery.Option> = [.filter, .search, .count, .expand, .select, .top, .skiptoken, .orderby]
        return [
            "GET /v1.0/users": collection, "GET /v1.0/groups": collection,
            "GET /v1.0/users/{id}": [.select, .expand], "GET /v1.0/groups/{id}": [.select, .expand], "GET /v1.0/me": [.select, .expand],
            "GET /v1.0/users/$count": [.filter, .search], "GET /v1.0/groups/$count": [.filter, .search],
            "GET /v1.0/groups/{id}/members": [.top, .skiptoken], "GET /v1.0/users/{id}/memberOf": [.top, .skiptoken],
            "GET /v1.0/auditLogs/signIns": [.filter, .top, .skiptoken], "GET /v1.0/auditLogs/directoryAudits": [.filter, .top, .skiptoken],
        ]
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.uri.path.hasPrefix("/v1.0/") else { return try await next(request, context) }
        let query = try GraphQuery(request)
        var endpoint = context.endpointPath ?? ""
        if !endpoint.hasPrefix("/") { endpoint = "/" + endpoint }
        if endpoint.count > 1, endpoint.hasSuffix("/") { endpoint.removeLast() }
        try query.refuse(except: Self.accepted["\(request.method.rawValue) \(endpoint)"] ?? [])
        return try await next(request, context)
    }
}
